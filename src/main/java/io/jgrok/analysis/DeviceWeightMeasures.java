package io.jgrok.analysis;

import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;
import io.jgrok.model.ParamLayout;

/**
 * {@link WeightMeasures} of a batch of checkpoints on the device: W_E (number rows) of every checkpoint gathered
 * into one [p][batch * d_model] matrix, W_L^T = (W_out W_U[:, :p])^T of every checkpoint computed into one
 * [p][batch * d_mlp] matrix, each transformed along axis 0 in one go (one cuFFT plan or one DFT launch for the whole
 * batch), then per-checkpoint row norms; and the sum of squared weights as per-block partials summed in order. The
 * Gini coefficients are computed on the host from the row norms by {@link WeightMeasures#of}, as for every backend.
 */
final class DeviceWeightMeasures {
    static final int THREADS = 128;
    /** Blocks per checkpoint for the sum of squares (256 threads each). */
    static final int SUM_BLOCKS = 32;

    private final Device device;
    private final FourierBasis basis;
    private final ParamLayout layout;
    private final DeviceTransforms transforms;
    private final int[] tensorRanges;

    DeviceWeightMeasures(Device device, FourierBasis basis, ParamLayout layout, DeviceTransforms transforms) {
        this.device = device;
        this.basis = basis;
        this.layout = layout;
        this.transforms = transforms;
        this.tensorRanges = new int[2 * layout.tensors().size()];
        for (int t = 0; t < layout.tensors().size(); t++) {
            tensorRanges[2 * t] = layout.tensors().get(t).offset();
            tensorRanges[2 * t + 1] = layout.tensors().get(t).size();
        }
    }

    WeightMeasures[] measure(DeviceScratch scratch, float[][] params) {
        int batch = params.length;
        if (batch == 0) {
            return new WeightMeasures[0];
        }
        int p = basis.p();
        int d = layout.dModel;
        int m = layout.dMlp;
        long stride = layout.size();
        DevicePtr w = scratch.uploadBatch(params, layout.size());

        DevicePtr embed = scratch.floats((long) p * batch * d);
        device.launch("analysis_gather_matrix", Dim3.of(Launches.blocks((long) p * batch * d, 256)), Dim3.of(256), 0,
                KernelArgs.of().ptr(embed).ptr(w).i64(stride).i32(layout.wE).i32(p).i32(d).i32(batch));
        DevicePtr embedNorms = rowNorms(scratch, embed, batch, d);

        DevicePtr wlT = scratch.floats((long) p * batch * m);
        device.launch("analysis_neuron_logit_map", new Dim3(Launches.blocks(p, 32), Launches.blocks(m, 4), batch),
                Dim3.of(32, 4), 0, KernelArgs.of().ptr(wlT).ptr(w).i64(stride).i32(layout.wOut).i32(layout.wU)
                        .i32(p).i32(d).i32(m).i32(layout.nOutputs).i32(batch));
        DevicePtr wlNorms = rowNorms(scratch, wlT, batch, m);

        DevicePtr partials = scratch.doubles((long) batch * SUM_BLOCKS);
        DevicePtr ranges = scratch.upload(tensorRanges);
        device.launch("analysis_sum_of_squares_partials", Dim3.of(SUM_BLOCKS, batch), Dim3.of(256), 0,
                KernelArgs.of().ptr(partials).ptr(w).i64(stride).ptr(ranges).i32(tensorRanges.length / 2));
        DevicePtr sums = PartialSums.sum(device, scratch, partials, SUM_BLOCKS, 1, batch);

        double[] e = scratch.downloadDoubles(embedNorms, batch * p);
        double[] l = scratch.downloadDoubles(wlNorms, batch * p);
        double[] ss = scratch.downloadDoubles(sums, batch);
        WeightMeasures[] out = new WeightMeasures[batch];
        for (int b = 0; b < batch; b++) {
            out[b] = WeightMeasures.of(basis, java.util.Arrays.copyOfRange(e, b * p, (b + 1) * p),
                    java.util.Arrays.copyOfRange(l, b * p, (b + 1) * p), ss[b]);
        }
        return out;
    }

    /** Norms [batch][p] of the basis rows of F x for x [p][batch][cols]. */
    private DevicePtr rowNorms(DeviceScratch scratch, DevicePtr x, int batch, int cols) {
        int p = basis.p();
        DevicePtr coef = scratch.floats((long) p * batch * cols);
        transforms.alongFirstAxis(scratch, coef, x, batch * cols, batch * cols, false);
        DevicePtr norms = scratch.doubles((long) batch * p);
        device.launch("analysis_fourier_row_norms", Dim3.of(Launches.blocks((long) p * batch, THREADS / 32)),
                Dim3.of(THREADS), 0, KernelArgs.of().ptr(norms).ptr(coef).i32(p).i32(batch).i32(cols));
        return norms;
    }
}
