package io.jgrok.engine.device;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.device.Devices;
import io.jgrok.engine.Engine;
import io.jgrok.engine.EpochSink;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;

import java.io.PrintStream;
import java.util.List;

/**
 * The CUDA engine ({@code --device cuda}), or its kernels on the emulated device ({@code --device emulated}): one
 * model trained by a {@link DeviceBatch} of N = 1, on any {@link Device}. Epochs are replayed as captured graphs
 * and their losses read back per chunk, so the trainer gets {@link #preferredChunk()} epochs per call. Produces the
 * CPU engine's history semantics and state (parameters, moments, step, Grokfast state), so the trainer's files,
 * checkpoints and resume work unchanged.
 */
public final class DeviceEngine implements Engine {
    private final RunConfig config;
    private final Device device;
    private final boolean ownsDevice;
    private final Shape shape;
    private final DeviceBatch batch;
    private final PrintStream profileOut;

    /**
     * @param ownsDevice close the device with the engine
     * @param profileOut where to print the per-kernel table at close ({@code --profile}), or null for no profiling
     */
    public DeviceEngine(RunConfig config, Split split, Device device, boolean ownsDevice, PrintStream profileOut) {
        this(config, split, device, ownsDevice, profileOut, KernelVariants.selected());
    }

    /** As above, launching the given kernel versions (gpu-check profiles each). */
    public DeviceEngine(RunConfig config, Split split, Device device, boolean ownsDevice, PrintStream profileOut,
                        KernelVariants variants) {
        this.config = config;
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.shape = Shape.of(new ParamLayout(config));
        this.profileOut = profileOut;
        this.batch = new DeviceBatch(device, List.of(config), List.of(split), profileOut != null, variants);
    }

    /** The device (GPU model and driver, or the emulation): the kernels are the same, and no float atomics. */
    @Override
    public java.util.Map<String, String> numerics() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("engine", "device");
        m.put("device", device.description());
        return m;
    }

    @Override
    public String description() {
        return "device engine: " + device.description() + (Devices.syncEveryLaunch()
                ? "; every epoch launched eagerly with a synchronisation after each launch (" + Devices.SYNC_VARIABLE
                + ")" : "; epochs replayed as a captured graph") + ", losses read back every " + preferredChunk()
                + " epochs" + (batch.variants().isDefault() ? "" : "; " + batch.variants().describe() + " ("
                + KernelVariants.VARIABLE + ")");
    }

    @Override
    public void setState(TrainingState state) {
        batch.setState(0, state);
    }

    @Override
    public TrainingState state() {
        return batch.state(0);
    }

    @Override
    public int runEpochs(long firstEpoch, int count, EpochSink sink) {
        batch.runEpochs(new long[] {firstEpoch}, count, new DeviceBatch.Sink() {
            @Override
            public void accept(int z, long epoch, double trainLoss, double trainAcc, double testLoss, double testAcc) {
                sink.accept(epoch, trainLoss, trainAcc, testLoss, testAcc);
            }

            @Override
            public void accept(int z, long epoch, double trainLoss, double trainAcc, double testLoss, double testAcc,
                               double collapsedF32, double collapsedF64) {
                sink.accept(epoch, trainLoss, trainAcc, testLoss, testAcc, collapsedF32, collapsedF64);
            }
        });
        return count;
    }

    @Override
    public int preferredChunk() {
        return DeviceBatch.CHUNK;
    }

    @Override
    public float[] lastGradient() {
        return batch.gradient(0);
    }

    @Override
    public float[] logits(float[] params, int[] examples) {
        return DeviceForward.logits(device, config, new float[][] {params}, examples);
    }

    @Override
    public double lossAndGradient(float[] params, int[] examples, float[] grad) {
        return GradientPass.lossAndGradient(device, shape, config.loss(), params, examples, grad);
    }

    /** Test hook: epochs eagerly instead of graph replays (to prove both give the same bits). */
    void useGraphs(boolean use) {
        batch.useGraphs(use);
    }

    DeviceBatch batch() {
        return batch;
    }

    @Override
    public void close() {
        try {
            if (profileOut != null) {
                profileOut.print(batch.profileTable("jgrok --profile: per-kernel time of a replayed epoch on "
                        + device.description()));
            }
            batch.close();
        } finally {
            if (ownsDevice) {
                device.close();
            }
        }
    }
}
