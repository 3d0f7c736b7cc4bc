package io.jgrok.engine.device;

import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.config.TestTiming;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.device.DeviceException;
import io.jgrok.device.Devices;
import io.jgrok.engine.device.Workspace.Buf;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import io.jgrok.optim.AdamW;
import io.jgrok.optim.TrainableRanges;

import java.util.ArrayList;
import java.util.List;

/**
 * N same-shaped models trained together on a {@link Device}: every kernel launch of an epoch serves all N (the model
 * is blockIdx.z, see model_common.cuh), so a sweep's runs share launches and a single run is N = 1
 * ({@link DeviceEngine}). The models may differ in everything that is not a shape: seeds, data splits (of the same
 * size), learning rate, weight decay, betas, warmup, Grokfast's alpha and lambda, frozen biases, and the epoch they
 * are at; they must agree on the shape, the train-set size, the test timing and the Grokfast mode (and MA window).
 *
 * <p>The whole epoch runs on the device with no host round trip: tables, forward over train and (when due) test
 * rows, float64 cross-entropy, backward, the fused Grokfast + AdamW step. The first epoch after construction runs
 * eagerly (the warm-up: module loading and first-launch costs, and launch errors surface at once); after that one
 * epoch is captured as a graph (one graph with the test evaluation, one without) and replayed. Per-epoch scalars
 * (AdamW.scalars of each model's step, Grokfast's constants) are written for a chunk of epochs before it starts and
 * read on the device by an epoch counter, which also picks the epoch's row of a device-side ring buffer of
 * (train loss, train accuracy, test loss, test accuracy, train softmax-collapse fractions in float32 and float64) in
 * float64; the ring is read back once per chunk.
 *
 * <p>History semantics are the CPU engine's: row e holds the losses of the weights before epoch e's step; with the
 * TransformerLens demo's timing the test loss is measured after the step. Deterministic: no float atomics, fixed
 * reduction orders, so the same inputs give bit-identical weights, and each model of a batch gets exactly the bits
 * it would get alone.
 */
public final class DeviceBatch implements AutoCloseable {
    /** Receives one history row per model and epoch. */
    @FunctionalInterface
    public interface Sink {
        void accept(int model, long epoch, double trainLoss, double trainAcc, double testLoss, double testAcc);

        /**
         * A row with the fractions of train rows whose softmax has collapsed in float32 and float64; sinks that keep
         * them override this, the others drop them.
         */
        default void accept(int model, long epoch, double trainLoss, double trainAcc, double testLoss, double testAcc,
                            double collapsedF32, double collapsedF64) {
            accept(model, epoch, trainLoss, trainAcc, testLoss, testAcc);
        }
    }

    /** Epochs per chunk: rows of the schedule and of the loss ring buffer. */
    public static final int CHUNK = 500;
    /** Launches an epoch may have under --profile (an epoch has about 40). */
    private static final int MAX_PROFILED_LAUNCHES = 128;

    private final Device device;
    private final List<RunConfig> configs;
    private final Shape shape;
    private final int models;
    private final int nTrain;
    private final int nAll;
    private final TestTiming timing;
    private final GrokfastMode grokfast;
    private final int window;
    private final LossFunction loss;
    private final GradProjection projection;
    private final Workspace ws;
    private final ModelPasses passes;
    private final long[] steps;
    private final EpochProfile profile;
    private boolean useGraphs = !Devices.syncEveryLaunch();
    private boolean warm;
    private Device.Graph withTest;
    private Device.Graph trainOnly;
    private EpochProfile.Recorder withTestRecorder;
    private EpochProfile.Recorder trainOnlyRecorder;

    /**
     * @param configs one per model, all of one shape (see the class comment)
     * @param splits  each model's train/test split (train sets of the same size)
     * @param profile whether to time every kernel of replayed epochs ({@link #profileTable})
     */
    public DeviceBatch(Device device, List<RunConfig> configs, List<Split> splits, boolean profile) {
        this(device, configs, splits, profile, KernelVariants.selected());
    }

    /** As above, launching the given kernel versions. */
    public DeviceBatch(Device device, List<RunConfig> configs, List<Split> splits, boolean profile,
                       KernelVariants variants) {
        if (configs.isEmpty() || configs.size() != splits.size()) {
            throw new IllegalArgumentException("need one split per config, and at least one model");
        }
        RunConfig first = configs.get(0);
        ParamLayout layout = new ParamLayout(first);
        for (int z = 0; z < configs.size(); z++) {
            RunConfig c = configs.get(z);
            Split sp = splits.get(z);
            if (c.p() != first.p() || c.dModel() != first.dModel() || c.nHeads() != first.nHeads()
                    || c.dMlp() != first.dMlp() || c.nOutputs() != first.nOutputs()
                    || sp.trainSize() != splits.get(0).trainSize() || c.testTiming() != first.testTiming()
                    || c.grokfast() != first.grokfast()
                    || (c.grokfast() == GrokfastMode.MA && c.grokfastWindow() != first.grokfastWindow())
                    || c.loss() != first.loss() || c.gradProjection() != first.gradProjection()) {
                throw new IllegalArgumentException("model " + z + " differs from model 0 in shape, train size, "
                        + "test timing, Grokfast mode, loss or gradient projection; such models cannot share "
                        + "launches");
            }
        }
        this.device = device;
        this.configs = List.copyOf(configs);
        this.shape = Shape.of(layout);
        this.models = configs.size();
        this.nTrain = splits.get(0).trainSize();
        this.nAll = nTrain + splits.get(0).testSize();
        this.timing = first.testTiming();
        this.grokfast = first.grokfast();
        this.window = first.grokfast() == GrokfastMode.MA ? first.grokfastWindow() : 1;
        this.loss = first.loss();
        this.projection = first.gradProjection();
        this.ws = new Workspace(device, new Workspace.Spec(shape, models, nAll, nTrain, true, grokfast, window, CHUNK));
        this.passes = new ModelPasses(ws, Launcher.plain(device), loss, variants);
        this.steps = new long[models];
        this.profile = profile ? new EpochProfile() : null;
        try {
            for (int z = 0; z < models; z++) {
                uploadExamples(z, splits.get(z));
                device.copyToDevice(ws.at(Buf.INFO, z), frozenRanges(configs.get(z), layout), 0, 4);
            }
        } catch (RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    private void uploadExamples(int z, Split split) {
        int[] all = new int[nAll];
        System.arraycopy(split.train(), 0, all, 0, nTrain);
        System.arraycopy(split.test(), 0, all, nTrain, nAll - nTrain);
        device.copyToDevice(ws.at(Buf.EXAMPLES, z), all, 0, nAll);
        TokenLists lists = TokenLists.of(split.train(), shape.p());
        device.copyToDevice(ws.at(Buf.ROW_START, z), lists.rowStart(), 0, lists.rowStart().length);
        if (nTrain > 0) {
            device.copyToDevice(ws.at(Buf.ROW_ITEMS, z), lists.items(), 0, lists.items().length);
        }
    }

    /** The complement of TrainableRanges as two [begin, end) ranges (empty ones are [0, 0)). */
    static int[] frozenRanges(RunConfig config, ParamLayout layout) {
        TrainableRanges t = TrainableRanges.of(config, layout);
        List<int[]> frozen = new ArrayList<>();
        int prev = 0;
        for (int i = 0; i < t.count(); i++) {
            if (t.from(i) > prev) {
                frozen.add(new int[] {prev, t.from(i)});
            }
            prev = t.to(i);
        }
        if (prev < layout.size()) {
            frozen.add(new int[] {prev, layout.size()});
        }
        if (frozen.size() > 2) {
            throw new IllegalStateException("the optimiser kernel supports at most two frozen ranges");
        }
        int[] out = new int[4];
        for (int i = 0; i < frozen.size(); i++) {
            out[2 * i] = frozen.get(i)[0];
            out[2 * i + 1] = frozen.get(i)[1];
        }
        return out;
    }

    public int models() {
        return models;
    }

    public String description() {
        return models + " model(s) per launch on " + device.description() + "; epochs replayed as a captured graph"
                + (passes.variants().isDefault() ? "" : "; " + passes.variants().describe());
    }

    /** The kernel versions this batch launches. */
    public KernelVariants variants() {
        return passes.variants();
    }

    /** Replaces model {@code z}'s training state (parameters, moments, step, Grokfast state). */
    public void setState(int z, TrainingState state) {
        int size = shape.size();
        if (state.params().length != size) {
            throw new IllegalArgumentException("state has " + state.params().length + " floats, layout needs " + size);
        }
        device.copyToDevice(ws.at(Buf.PARAMS, z), state.params(), 0, size);
        device.copyToDevice(ws.at(Buf.ADAM_M, z), state.adamM(), 0, size);
        device.copyToDevice(ws.at(Buf.ADAM_V, z), state.adamV(), 0, size);
        steps[z] = state.step();
        float[][] gf = state.grokfast();
        int count = 0;
        switch (grokfast) {
            case NONE -> { }
            case EMA -> {
                if (gf.length > 0) {
                    device.copyToDevice(ws.at(Buf.GF_MU, z), gf[0], 0, size);
                    count = 1;
                }
            }
            case MA -> {
                int from = Math.max(0, gf.length - window);
                for (int i = from; i < gf.length; i++) {
                    device.copyToDevice(ws.at(Buf.GF_RING, z).floatAt((long) (i - from) * size), gf[i], 0, size);
                }
                count = gf.length - from;
            }
        }
        device.copyToDevice(ws.at(Buf.STATE, z), new int[] {0, count, 0, 0}, 0, 4);
    }

    /**
     * Model {@code z}'s gradient from the last epoch run: the train rows' backward pass leaves it in the gradient
     * buffer, which the optimiser kernel only reads (Grokfast and frozen ranges are applied to a copy in registers).
     */
    public float[] gradient(int z) {
        float[] g = new float[shape.size()];
        device.copyToHost(g, 0, ws.at(Buf.GRAD, z), g.length);
        return g;
    }

    /** Copies model {@code z}'s training state out. */
    public TrainingState state(int z) {
        int size = shape.size();
        float[] params = new float[size];
        float[] m = new float[size];
        float[] v = new float[size];
        device.copyToHost(params, 0, ws.at(Buf.PARAMS, z), size);
        device.copyToHost(m, 0, ws.at(Buf.ADAM_M, z), size);
        device.copyToHost(v, 0, ws.at(Buf.ADAM_V, z), size);
        int[] st = new int[4];
        device.copyToHost(st, 0, ws.at(Buf.STATE, z), 4);
        float[][] gf = new float[0][];
        if (grokfast == GrokfastMode.EMA && st[1] > 0) {
            gf = new float[][] {new float[size]};
            device.copyToHost(gf[0], 0, ws.at(Buf.GF_MU, z), size);
        } else if (grokfast == GrokfastMode.MA) {
            gf = new float[st[1]][];
            for (int i = 0; i < st[1]; i++) {
                gf[i] = new float[size];
                int slot = (st[2] + i) % window;
                device.copyToHost(gf[i], 0, ws.at(Buf.GF_RING, z).floatAt((long) slot * size), size);
            }
        }
        return new TrainingState(params, m, v, steps[z], gf);
    }

    /**
     * Runs {@code count} epochs of every model, model z's first being {@code firstEpochs[z]}, reporting one row per
     * model and epoch to {@code sink} (per chunk, epochs in order).
     */
    public void runEpochs(long[] firstEpochs, int count, Sink sink) {
        if (firstEpochs.length != models) {
            throw new IllegalArgumentException("need a first epoch per model");
        }
        for (int done = 0; done < count; ) {
            int chunk = Math.min(CHUNK, count - done);
            runChunk(firstEpochs, done, chunk, sink);
            done += chunk;
        }
    }

    private void runChunk(long[] firstEpochs, int offset, int chunk, Sink sink) {
        float[] schedule = new float[16 * chunk];
        for (int z = 0; z < models; z++) {
            RunConfig c = configs.get(z);
            for (int j = 0; j < chunk; j++) {
                scheduleRow(c, steps[z] + 1 + j, schedule, 16 * j);
            }
            device.copyToDevice(ws.at(Buf.SCHEDULE, z), schedule, 0, schedule.length);
            device.copyToDevice(ws.at(Buf.STATE, z), new int[] {0}, 0, 1);
        }
        boolean[][] due = new boolean[chunk][models];
        for (int j = 0; j < chunk; j++) {
            boolean any = false;
            for (int z = 0; z < models; z++) {
                due[j][z] = configs.get(z).evaluatesTestAt(firstEpochs[z] + offset + j);
                any |= due[j][z];
            }
            runEpoch(any);
        }
        final int width = Workspace.RING_WIDTH;
        double[] ring = new double[width * chunk];
        for (int z = 0; z < models; z++) {
            device.copyToHost(ring, 0, ws.at(Buf.RING, z), ring.length);
            for (int j = 0; j < chunk; j++) {
                boolean test = due[j][z];
                int r = width * j;
                sink.accept(z, firstEpochs[z] + offset + j, ring[r], ring[r + 1],
                        test ? ring[r + 2] : Double.NaN, test ? ring[r + 3] : Double.NaN, ring[r + 4], ring[r + 5]);
            }
            steps[z] += chunk;
        }
    }

    /** One schedule row: AdamW.Scalars of the step, then Grokfast's alpha, 1 - alpha (in float) and lambda. */
    static void scheduleRow(RunConfig c, long step, float[] out, int offset) {
        AdamW.Scalars s = AdamW.scalars(c, step);
        out[offset] = s.decay();
        out[offset + 1] = s.beta1();
        out[offset + 2] = s.oneMinusBeta1();
        out[offset + 3] = s.beta2();
        out[offset + 4] = s.oneMinusBeta2();
        out[offset + 5] = s.stepSize();
        out[offset + 6] = s.biasCorrection2Sqrt();
        out[offset + 7] = s.eps();
        float alpha = (float) c.grokfastAlpha();
        out[offset + 8] = alpha;
        out[offset + 9] = 1f - alpha;
        out[offset + 10] = (float) c.grokfastLambda();
    }

    private void runEpoch(boolean test) {
        if (!warm || !useGraphs) {
            issueEpoch(passes, test);
            warm = true;
            return;
        }
        if (test && withTest == null) {
            withTestRecorder = recorder();
            withTest = capture(test, withTestRecorder);
        } else if (!test && trainOnly == null) {
            trainOnlyRecorder = recorder();
            trainOnly = capture(test, trainOnlyRecorder);
        }
        device.replay(test ? withTest : trainOnly);
        if (profile != null) {
            profile.collect(test ? withTestRecorder : trainOnlyRecorder);
        }
    }

    private EpochProfile.Recorder recorder() {
        return profile == null ? null : profile.recorder(device, MAX_PROFILED_LAUNCHES);
    }

    private Device.Graph capture(boolean test, EpochProfile.Recorder recorder) {
        device.beginCapture();
        try {
            issueEpoch(recorder == null ? passes : new ModelPasses(ws, recorder, loss, passes.variants()), test);
            if (recorder != null) {
                recorder.finish();
            }
        } catch (RuntimeException e) {
            try {
                device.endCapture().close();
            } catch (DeviceException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return device.endCapture();
    }

    /** The launches of one epoch (see the class comment for what it computes). */
    private void issueEpoch(ModelPasses ps, boolean test) {
        ps.prepare();
        if (timing == TestTiming.BEFORE_STEP) {
            ps.forward(0, test ? nAll : nTrain, nTrain, nTrain);
            ps.lossReduce(0, nTrain, test ? nTrain : 0, test ? nAll : 0);
            ps.backward(nTrain);
            ps.optimizerStep(grokfast, window, projection);
        } else {
            ps.forward(0, nTrain, nTrain, nTrain);
            ps.lossReduce(0, nTrain, test ? -1 : 0, test ? -1 : 0);
            ps.backward(nTrain);
            ps.optimizerStep(grokfast, window, projection);
            if (test) {
                ps.prepare();
                ps.forward(nTrain, nAll, nTrain, nTrain);
                ps.lossReduce(-1, -1, nTrain, nAll);
            }
        }
        ps.advance(grokfast, window);
    }

    /** For tests: run every epoch eagerly instead of replaying captured graphs. */
    void useGraphs(boolean use) {
        this.useGraphs = use;
    }

    /** The per-kernel table of replayed epochs, or null without profiling. */
    public String profileTable(String title) {
        return profile == null ? null : profile.table(title);
    }

    EpochProfile profile() {
        return profile;
    }

    Workspace workspace() {
        return ws;
    }

    @Override
    public void close() {
        if (withTest != null) {
            withTest.close();
        }
        if (trainOnly != null) {
            trainOnly.close();
        }
        ws.close();
    }
}
