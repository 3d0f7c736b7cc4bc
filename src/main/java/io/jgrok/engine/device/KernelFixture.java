package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.config.GrokfastMode;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.engine.device.Workspace.Buf;
import io.jgrok.model.ParamLayout;

import java.util.Random;

/**
 * Where the single-kernel checks launch one kernel at a time: a workspace of two models (so that each kernel's model
 * stride is exercised and the models' results must differ) at a small odd shape (p = 7, d_model 16, 2 heads of 8,
 * d_mlp 24, 8 logits; 30 examples of which 21 train) so that every bounds check and partial tile is hit; fresh random
 * examples per model; outputs poisoned (0xFF bytes: NaN, or -1 as int) before a launch and read back after it. Used by
 * {@link KernelChecks} (tests and {@code jgrok gpu-check}) and by the numerical-stability kernel tests.
 */
final class KernelFixture implements AutoCloseable {
    static final int MODELS = 2;
    static final int N = 30;
    static final int N_TRAIN = 21;

    final Device device;
    final ParamLayout layout = new ParamLayout(TestConfigs.small(7, 16, 2, 24));
    final Shape s = Shape.of(layout);
    /** The source of every random input of the checks, seeded, so that a failure repeats. */
    final Random rnd;
    /** Each model's examples (flat indices a * p + b), as uploaded by {@link #drawExamples}. */
    final int[][] examples = new int[MODELS][];
    private Workspace ws;

    KernelFixture(Device device, long seed) {
        this.device = device;
        this.rnd = new Random(seed);
    }

    /** A new workspace (the previous one closed) with the given Grokfast state and number of ring rows. */
    Workspace open(GrokfastMode grokfast, int window, int ringRows) {
        close();
        ws = new Workspace(device, new Workspace.Spec(s, MODELS, N, N_TRAIN, true, grokfast, window, ringRows));
        return ws;
    }

    /** Fresh random examples for every model, uploaded. */
    void drawExamples() {
        for (int z = 0; z < MODELS; z++) {
            examples[z] = RandomWeights.examples(s.p(), N, rnd);
            device.copyToDevice(ws.at(Buf.EXAMPLES, z), examples[z], 0, N);
        }
    }

    /** Buffer b of model z. */
    DevicePtr at(Buf b, int z) {
        return ws.at(b, z);
    }

    /** 0xFF bytes in the whole of every model's buffers b: an element a kernel does not write stays NaN (or -1). */
    void poison(Buf... bufs) {
        for (Buf b : bufs) {
            for (int z = 0; z < MODELS; z++) {
                DevicePtr p = ws.at(b, z);
                device.memset(p, 0xFF, p.bytes());
            }
        }
    }

    /** The first n floats of model z's buffer b. */
    float[] get(Buf b, int z, int n) {
        float[] out = new float[n];
        device.copyToHost(out, 0, ws.at(b, z), n);
        return out;
    }

    /** The label of model z's example row: (a + b) mod p. */
    int label(int z, int row) {
        int idx = examples[z][row];
        return (idx / s.p() + idx % s.p()) % s.p();
    }

    /** Closes the workspace (the device belongs to the caller). */
    @Override
    public void close() {
        if (ws != null) {
            ws.close();
            ws = null;
        }
    }
}
