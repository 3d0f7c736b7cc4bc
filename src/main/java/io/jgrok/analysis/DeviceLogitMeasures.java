package io.jgrok.analysis;

import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;

/**
 * {@link LogitMeasures} of a batch of checkpoints' logits on the device, the same quantities as
 * {@link LogitAblation} computes on the CPU (its class comment explains the anti-diagonal trick): the kernels of
 * analysis_logit_projection.cu (anti-diagonal sums, coefficients on the key directions and class means, amplitudes),
 * analysis_logit_losses.cu (per-row and restricted float64 cross-entropies) and analysis_sum_partials.cu (the
 * ordered second stage of every sum). Every launch covers the whole batch. Only sums and counts come back to the
 * host, which divides them by the row counts.
 */
final class DeviceLogitMeasures {
    /** Rows of one block of analysis_logit_row_losses (4 warps, 8 rows each). */
    static final int ROWS_PER_BLOCK = 32;
    static final int THREADS = 128;
    private static final int WARPS = THREADS / 32;
    /** Statistics per block before the per-key ones (see analysis_logit_losses.cu). */
    private static final int ROW_STATS = 8;

    private final Device device;
    private final FourierBasis basis;
    private final int nOut;

    DeviceLogitMeasures(Device device, FourierBasis basis, int nOut) {
        this.device = device;
        this.basis = basis;
        this.nOut = nOut;
    }

    LogitMeasures[] measure(DeviceScratch scratch, float[][] logits, AblationPlan plan) {
        int p = basis.p();
        int n = p * p;
        int batch = logits.length;
        if (batch == 0) {
            return new LogitMeasures[0];
        }
        KeyDirections keys = new KeyDirections(basis, plan.keyFrequencies());
        int nKey = keys.size();
        DevicePtr dirs = scratch.upload(interleave(keys.uCos, keys.uSin, nKey, p));
        DevicePtr weights = scratch.upload(interleave(keys.ampCos, keys.ampSin, nKey, p));
        DevicePtr norm2 = scratch.upload(keys.ampNorm2);
        int[] rowClass = new int[n];
        for (int r : plan.train()) {
            rowClass[r] |= 1;
        }
        for (int r : plan.test()) {
            rowClass[r] |= 2;
        }
        DevicePtr classes = scratch.upload(rowClass);
        DevicePtr l = scratch.uploadBatch(logits, n * nOut);

        DevicePtr g = scratch.doubles((long) batch * p * p);
        device.launch("analysis_logit_antidiagonal_sums", Dim3.of(p, batch), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(g).ptr(l).i32(p).i32(nOut));
        int coefRows = 2 * nKey + 1;
        DevicePtr coef = scratch.doubles((long) batch * coefRows * p);
        device.launch("analysis_logit_key_coefficients", new Dim3(Launches.blocks(p, THREADS), coefRows, batch),
                Dim3.of(THREADS), 0, KernelArgs.of().ptr(coef).ptr(g).ptr(dirs).i32(p).i32(nKey));
        DevicePtr amp = scratch.doubles((long) batch * nKey);
        if (nKey > 0) {
            device.launch("analysis_logit_key_amplitudes", Dim3.of(Launches.blocks((long) batch * nKey, THREADS)),
                    Dim3.of(THREADS), 0, KernelArgs.of().ptr(amp).ptr(coef).ptr(weights).ptr(norm2).i32(p).i32(nKey)
                            .i32(batch));
        }

        int rowStats = ROW_STATS + nKey;
        int rowBlocks = Launches.blocks(n, ROWS_PER_BLOCK);
        DevicePtr rowPartials = scratch.doubles((long) batch * rowBlocks * rowStats);
        device.launch("analysis_logit_row_losses", Dim3.of(rowBlocks, batch), Dim3.of(THREADS),
                8 * WARPS * rowStats, KernelArgs.of().ptr(rowPartials).ptr(l).ptr(classes).ptr(coef).ptr(dirs)
                        .i32(p).i32(nOut).i32(nKey).i32(ROWS_PER_BLOCK));
        DevicePtr rowSums = PartialSums.sum(device, scratch, rowPartials, rowBlocks, rowStats, batch);

        int sStats = 2 + nKey;
        DevicePtr perS = scratch.doubles((long) batch * p * sStats);
        device.launch("analysis_logit_restricted_losses", Dim3.of(batch), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(perS).ptr(coef).ptr(dirs).i32(p).i32(nKey)
                        .i32(plan.perFrequencyRestricted() ? 1 : 0));
        DevicePtr restrictedSums = PartialSums.sum(device, scratch, perS, p, sStats, batch);

        double[] rows = scratch.downloadDoubles(rowSums, batch * rowStats);
        double[] restricted = scratch.downloadDoubles(restrictedSums, batch * sStats);
        double[] amplitudes = scratch.downloadDoubles(amp, batch * nKey);
        int nTrain = plan.train().length;
        int nTest = plan.test().length;
        LogitMeasures[] out = new LogitMeasures[batch];
        for (int b = 0; b < batch; b++) {
            int r = b * rowStats;
            int s = b * sStats;
            double[] excludedPer = new double[nKey];
            double[] restrictedPer = plan.perFrequencyRestricted() ? new double[nKey] : null;
            double[] amps = new double[nKey];
            for (int i = 0; i < nKey; i++) {
                excludedPer[i] = rows[r + ROW_STATS + i] / nTrain;
                if (restrictedPer != null) {
                    restrictedPer[i] = restricted[s + 2 + i] / p;
                }
                amps[i] = amplitudes[b * nKey + i];
            }
            out[b] = new LogitMeasures(rows[r] / n, rows[r + 1] / n, rows[r + 2] / nTrain, rows[r + 3] / nTrain,
                    rows[r + 4] / nTest, rows[r + 5] / nTest, restricted[s] / p, restricted[s + 1] / p,
                    rows[r + 6] / nTrain, rows[r + 7] / nTrain, excludedPer, restrictedPer, amps);
        }
        return out;
    }

    /** Rows 2i = a_i, 2i + 1 = b_i of two [nKey][p] tables. */
    private static double[] interleave(double[] a, double[] b, int nKey, int p) {
        double[] out = new double[2 * nKey * p];
        for (int i = 0; i < nKey; i++) {
            System.arraycopy(a, i * p, out, 2 * i * p, p);
            System.arraycopy(b, i * p, out, (2 * i + 1) * p, p);
        }
        return out;
    }
}
