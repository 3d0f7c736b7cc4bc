package io.jgrok.analysis;

import io.jgrok.config.FourierOrder;
import io.jgrok.config.RunConfig;
import io.jgrok.device.Cufft;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;
import io.jgrok.engine.device.DeviceForward;
import io.jgrok.model.ParamLayout;

import java.io.PrintStream;

/**
 * The {@link AnalysisBackend} on a {@link Device} (a GPU through CUDA, or the emulated device that proves the same
 * kernels in CI): transforms by cuFFT or jgrok's DFT kernels ({@link HalfSpectra}) followed by the basis mapping
 * kernel, and the measures as kernels that take a whole batch of checkpoints per launch
 * ({@link DeviceLogitMeasures}, {@link DeviceWeightMeasures}); neuron fractions by centring, a 2D transform and one
 * kernel. Every reduction is deterministic (per-block partials summed in a fixed order, no float atomics), so a
 * checkpoint's results have the same bits whatever batch it is in and on every run. Losses are float64
 * cross-entropies of the float32 logits, as on the CPU; transforms are float32.
 *
 * <p>The forward passes ({@link #logits}, {@link #outputs}) are the CUDA engine's ({@link DeviceForward}: its
 * training kernels batched over the checkpoints of a batch, over all p^2 inputs). The logits come back to the host
 * because {@link AnalysisBackend} hands them over as arrays, and go up again for {@link #logitMeasures}.
 */
public final class DeviceAnalysisBackend implements AnalysisBackend {
    static final int THREADS = 128;

    /**
     * @param preferredBatch checkpoints per batch for the progress measures
     * @param poisonOutputs  fill every device buffer with NaN before kernels write it (tests)
     * @param ownsDevice     close the device with the backend
     */
    public record Options(int preferredBatch, boolean poisonOutputs, boolean ownsDevice) {
        public Options {
            if (preferredBatch < 1) {
                throw new IllegalArgumentException("preferredBatch must be >= 1");
            }
        }
    }

    private final Device device;
    private final FourierBasis basis;
    private final ParamLayout layout;
    private final HalfSpectra spectra;
    private final DeviceTransforms transforms;
    private final DeviceLogitMeasures logitMeasures;
    private final DeviceWeightMeasures weightMeasures;
    private final DeviceAgop agop;
    private final RunConfig config;
    private final int[] allInputs;
    private final Options options;
    /** The forward pass's buffers for the last batch size (the progress measures use one size but the last). */
    private DeviceForward forward;

    DeviceAnalysisBackend(Device device, RunConfig config, HalfSpectra spectra, Options options) {
        this.device = device;
        this.config = config;
        this.basis = new FourierBasis(config.p(), config.fourierOrder());
        this.layout = new ParamLayout(config);
        this.spectra = spectra;
        this.transforms = new DeviceTransforms(device, spectra, basis);
        this.logitMeasures = new DeviceLogitMeasures(device, basis, layout.nOutputs);
        this.weightMeasures = new DeviceWeightMeasures(device, basis, layout, transforms);
        this.agop = new DeviceAgop(device, config, layout);
        this.allInputs = java.util.stream.IntStream.range(0, config.p() * config.p()).toArray();
        this.options = options;
    }

    /**
     * The backend on {@code device}, with cuFFT when the device is a GPU and a libcufft loads (else the DFT kernels,
     * with a one-line notice on a GPU).
     */
    public static DeviceAnalysisBackend open(Device device, RunConfig config, PrintStream notices, Options options) {
        HalfSpectra spectra = null;
        try {
            spectra = HalfSpectra.forDevice(device, config.p(), Cufft::discover, notices);
            return new DeviceAnalysisBackend(device, config, spectra, options);
        } catch (RuntimeException | Error e) {
            if (spectra != null) {
                spectra.close();
            }
            if (options.ownsDevice()) {
                device.close();
            }
            throw e;
        }
    }

    @Override
    public String description() {
        return "device analysis on " + device.description() + "; transforms: " + transforms.description()
                + "; forward passes: the CUDA engine's kernels";
    }

    @Override
    public FourierBasis basis() {
        return basis;
    }

    @Override
    public int preferredBatch() {
        return options.preferredBatch();
    }

    /** The forward pass's buffers for {@code models} parameter sets over all inputs. */
    private DeviceForward forward(int models) {
        if (forward == null || forward.models() != models) {
            if (forward != null) {
                forward.close();
                forward = null;
            }
            forward = DeviceForward.open(device, config, models, allInputs);
        }
        return forward;
    }

    @Override
    public float[][] logits(float[][] params) {
        int batch = params.length;
        if (batch == 0) {
            return new float[0][];
        }
        DeviceForward f = forward(batch);
        f.run(params);
        float[] all = f.logits();
        int per = allInputs.length * layout.nOutputs;
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = java.util.Arrays.copyOfRange(all, b * per, (b + 1) * per);
        }
        return out;
    }

    @Override
    public ModelOutputs outputs(float[] params) {
        DeviceForward f = forward(1);
        f.run(new float[][] {params});
        int n = allInputs.length;
        float[] logits = f.logits();
        float[] attention = new float[n * layout.nHeads * 3];
        device.copyToHost(attention, 0, f.attention(0), attention.length);
        float[] neurons = new float[n * layout.dMlp];
        device.copyToHost(neurons, 0, f.preActivations(0), neurons.length);
        for (int i = 0; i < neurons.length; i++) {
            neurons[i] = Math.max(0f, neurons[i]);
        }
        return new ModelOutputs(logits, neurons, attention);
    }

    private DeviceScratch scratch() {
        return new DeviceScratch(device, options.poisonOutputs());
    }

    @Override
    public float[] transform1d(float[] x, int m) {
        int p = basis.p();
        checkLength(x, p * m, "transform1d");
        try (DeviceScratch s = scratch()) {
            DevicePtr in = s.upload(x);
            DevicePtr out = s.floats((long) p * m);
            transforms.alongFirstAxis(s, out, in, m, m, false);
            return s.downloadFloats(out, p * m);
        }
    }

    @Override
    public float[] transform2d(float[] x, int m) {
        int p = basis.p();
        checkLength(x, p * p * m, "transform2d");
        try (DeviceScratch s = scratch()) {
            DevicePtr in = s.upload(x);
            DevicePtr out = s.floats((long) p * p * m);
            transforms.transform2d(s, out, in, m);
            return s.downloadFloats(out, p * p * m);
        }
    }

    @Override
    public double[] fracExplained(float[] neurons, int nNeurons) {
        int p = basis.p();
        int n = p * p;
        checkLength(neurons, n * nNeurons, "fracExplained");
        int k = basis.nFrequencies();
        try (DeviceScratch s = scratch()) {
            DevicePtr acts = s.upload(neurons);
            DevicePtr centred = s.floats((long) n * nNeurons);
            device.launch("analysis_centre_columns", Dim3.of(Launches.blocks(nNeurons, THREADS)), Dim3.of(THREADS), 0,
                    KernelArgs.of().ptr(centred).ptr(acts).i32(n).i32(nNeurons));
            DevicePtr g = s.floats((long) n * nNeurons);
            transforms.transform2d(s, g, centred, nNeurons);
            DevicePtr frac = s.doubles((long) nNeurons * k);
            device.launch("analysis_frac_explained", Dim3.of(Launches.blocks(nNeurons, THREADS)), Dim3.of(THREADS), 0,
                    KernelArgs.of().ptr(frac).ptr(g).i32(p).i32(nNeurons)
                            .i32(basis.order() == FourierOrder.COS_FIRST ? 1 : 0));
            return s.downloadDoubles(frac, nNeurons * k);
        }
    }

    @Override
    public LogitMeasures[] logitMeasures(float[][] logits, AblationPlan plan) {
        try (DeviceScratch s = scratch()) {
            return logitMeasures.measure(s, logits, plan);
        }
    }

    @Override
    public WeightMeasures[] weightMeasures(float[][] params) {
        try (DeviceScratch s = scratch()) {
            return weightMeasures.measure(s, params);
        }
    }

    @Override
    public double[][] agop(float[][] params, int[] examples) {
        try (DeviceScratch s = scratch()) {
            return agop.agop(s, params, examples);
        }
    }

    /** On a GPU the AGOP of 400 paper-size checkpoints is seconds of kernel time; on the emulated device it is not. */
    @Override
    public boolean agopIsCheap() {
        return device instanceof io.jgrok.device.CudaDevice;
    }

    private static void checkLength(float[] x, int expected, String what) {
        if (x.length != expected) {
            throw new IllegalArgumentException(what + ": expected " + expected + " values, got " + x.length);
        }
    }

    @Override
    public void close() {
        try {
            if (forward != null) {
                forward.close();
            }
            spectra.close();
        } finally {
            if (options.ownsDevice()) {
                device.close();
            }
        }
    }
}
