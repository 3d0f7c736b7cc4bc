package io.jgrok.engine.device;

import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.engine.device.Workspace.Buf;
import io.jgrok.model.ParamLayout;

/**
 * Forward passes of many parameter sets of one shape over one example list, on a {@link Device}: the training
 * kernels' tables, gather and logits product, batched over models (one launch per kernel for all N). For the device
 * Fourier analysis (the logits of all p^2 inputs at C checkpoints per launch) and anything else that needs logits in
 * bulk.
 *
 * <p>Results: logits [N][n][nOutputs] (row-major, examples in the given order), as a host array or copied into a
 * dense device buffer. Also readable per model on the device: the attention weights from '=' [n][heads][3] and the
 * MLP pre-activations at '=' [n][d_mlp] (apply ReLU for the neurons' activations).
 *
 * <pre>
 *   float[] logits = DeviceForward.logits(device, config, paramsBatch, examples);   // one call
 *
 *   try (DeviceForward f = DeviceForward.open(device, config, models, examples)) {   // reused buffers
 *       f.run(paramsBatch);                  // or f.run(devicePtrToParams) for [N][layout.size()] on the device
 *       f.copyLogitsTo(denseDeviceBuffer);   // or float[] l = f.logits();
 *   }
 * </pre>
 */
public final class DeviceForward implements AutoCloseable {
    private final Device device;
    private final Shape shape;
    private final int n;
    private final Workspace ws;
    private final ModelPasses passes;

    private DeviceForward(Device device, RunConfig config, int models, int[] examples) {
        this.device = device;
        this.shape = Shape.of(new ParamLayout(config));
        this.n = examples.length;
        if (n == 0) {
            throw new IllegalArgumentException("no examples");
        }
        int pp = shape.p() * shape.p();
        for (int idx : examples) {
            if (idx < 0 || idx >= pp) {
                throw new IllegalArgumentException("example " + idx + " is not a pair index of p = " + shape.p());
            }
        }
        this.ws = new Workspace(device, new Workspace.Spec(shape, models, n, 0, false, GrokfastMode.NONE, 1, 1));
        try {
            for (int z = 0; z < models; z++) {
                device.copyToDevice(ws.at(Buf.EXAMPLES, z), examples, 0, n);
            }
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
        this.passes = new ModelPasses(ws, Launcher.plain(device));
    }

    /** Buffers for {@code models} parameter sets of {@code config}'s shape over {@code examples} (a*p + b each). */
    public static DeviceForward open(Device device, RunConfig config, int models, int[] examples) {
        return new DeviceForward(device, config, models, examples);
    }

    /** Logits [N][n][nOutputs] of every parameter set (each of layout.size() floats) on the examples. */
    public static float[] logits(Device device, RunConfig config, float[][] paramsBatch, int[] examples) {
        try (DeviceForward f = open(device, config, paramsBatch.length, examples)) {
            f.run(paramsBatch);
            return f.logits();
        }
    }

    public int models() {
        return ws.models();
    }

    public int examples() {
        return n;
    }

    /** Runs the forward pass of every model with these parameters (one array of layout.size() floats per model). */
    public void run(float[][] paramsBatch) {
        requireModels(paramsBatch.length);
        for (int z = 0; z < paramsBatch.length; z++) {
            if (paramsBatch[z].length != shape.size()) {
                throw new IllegalArgumentException("parameter set " + z + " has " + paramsBatch[z].length
                        + " floats, the layout needs " + shape.size());
            }
            device.copyToDevice(ws.at(Buf.PARAMS, z), paramsBatch[z], 0, shape.size());
        }
        forward();
    }

    /** As {@link #run(float[][])}, the parameters already on the device as [N][layout.size()] floats. */
    public void run(DevicePtr paramsBatch) {
        for (int z = 0; z < ws.models(); z++) {
            device.copy(ws.at(Buf.PARAMS, z), paramsBatch.floatAt((long) z * shape.size()), 4L * shape.size());
        }
        forward();
    }

    private void forward() {
        passes.prepare();
        passes.gather(0, n);
        passes.logits(0, n);
    }

    /** The last run's logits [N][n][nOutputs]. */
    public float[] logits() {
        long per = (long) n * shape.nOut();
        if (per * ws.models() > Integer.MAX_VALUE) {
            throw new IllegalStateException("logits of " + ws.models() + " models do not fit one Java array; use "
                    + "copyLogitsTo");
        }
        float[] out = new float[(int) (per * ws.models())];
        for (int z = 0; z < ws.models(); z++) {
            device.copyToHost(out, (int) (z * per), ws.at(Buf.LOGITS, z), (int) per);
        }
        return out;
    }

    /** Copies the last run's logits into {@code dst}, dense [N][n][nOutputs] floats (device-to-device). */
    public void copyLogitsTo(DevicePtr dst) {
        long bytes = 4L * n * shape.nOut();
        for (int z = 0; z < ws.models(); z++) {
            device.copy(dst.plus(z * bytes), ws.at(Buf.LOGITS, z), bytes);
        }
    }

    /** Model z's attention weights from '=' to positions 0, 1, 2: [n][heads][3] floats, on the device. */
    public DevicePtr attention(int z) {
        return ws.at(Buf.ALPHA, z);
    }

    /** Model z's MLP pre-activations at '=': [n][d_mlp] floats, on the device. */
    public DevicePtr preActivations(int z) {
        return ws.at(Buf.PRE, z);
    }

    private void requireModels(int count) {
        if (count != ws.models()) {
            throw new IllegalArgumentException("opened for " + ws.models() + " models, given " + count);
        }
    }

    @Override
    public void close() {
        ws.close();
    }
}
