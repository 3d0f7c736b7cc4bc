package io.jgrok.engine.cpu;

import io.jgrok.config.GradProjection;
import io.jgrok.config.RunConfig;
import io.jgrok.config.TestTiming;
import io.jgrok.data.Split;
import io.jgrok.engine.Engine;
import io.jgrok.engine.EpochSink;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import io.jgrok.optim.AdamW;
import io.jgrok.optim.Grokfast;
import io.jgrok.optim.OrthogonalGradient;
import io.jgrok.optim.TrainableRanges;

/**
 * The CPU engine: {@link CpuModel} for the passes, AdamW, Grokfast and ⊥Grad ({@link OrthogonalGradient}) on the
 * host, all in Java plus BLAS.
 */
public final class CpuEngine implements Engine {
    private final RunConfig config;
    private final ParamLayout layout;
    private final CpuModel model;
    private final TrainableRanges trainable;
    private final int[] train;
    private final int[] test;
    private final float[] grad;
    /** The last epoch's gradient before filtering and masking (only with save_gradients). */
    private final float[] rawGrad;

    private float[] params;
    private float[] adamM;
    private float[] adamV;
    private long step;
    private Grokfast grokfast;

    public CpuEngine(RunConfig config, Split split) {
        this(config, split, Ops.best());
    }

    /** With a given loop implementation (tests run the scalar fallback too). */
    CpuEngine(RunConfig config, Split split, Ops ops) {
        this.config = config;
        this.layout = new ParamLayout(config);
        this.model = new CpuModel(layout, config.threads(), ops, config.loss());
        this.trainable = TrainableRanges.of(config, layout);
        // Processed in tile order (see tileOrder): a block's table rows stay in cache. Only the order of float
        // summation changes, not what is summed.
        this.train = tileOrder(split.train(), config.p());
        this.test = tileOrder(split.test(), config.p());
        this.grad = new float[layout.size()];
        this.rawGrad = config.saveGradients() ? new float[layout.size()] : null;
        setState(TrainingState.fresh(new float[layout.size()]));
    }

    /** Side of the (a, b) tiles the engine walks its example sets in. */
    static final int TILE = 16;

    /**
     * The examples sorted by TILE x TILE tile of the (a, b) grid, then by a, then b: the rows of a block then
     * share few a and few b tokens, so the per-token table rows it reads and updates (2 KB each per head) fit in
     * L2 instead of streaming the 1 MB tables of all b tokens for every few examples.
     */
    static int[] tileOrder(int[] examples, int p) {
        int tilesPerSide = (p + TILE - 1) / TILE;
        long[] keyed = new long[examples.length];
        for (int i = 0; i < examples.length; i++) {
            int a = examples[i] / p;
            int b = examples[i] % p;
            long tile = (long) (a / TILE) * tilesPerSide + b / TILE;
            keyed[i] = tile << 32 | examples[i];
        }
        java.util.Arrays.sort(keyed);
        int[] out = new int[examples.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) keyed[i];
        }
        return out;
    }

    @Override
    public String description() {
        return "cpu engine: " + model.threads() + " thread(s), BLAS " + Gemm.implementation() + ", "
                + model.opsDescription();
    }

    /** BLAS and its kernels (products are summed in its order), worker threads (the reduction), and the SIMD path. */
    @Override
    public java.util.Map<String, String> numerics() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("engine", "cpu");
        m.put("blas", Gemm.implementation());
        m.put("threads", Integer.toString(model.threads()));
        m.put("simd", model.opsDescription());
        return m;
    }

    @Override
    public void setState(TrainingState state) {
        if (state.params().length != layout.size()) {
            throw new IllegalArgumentException("state has " + state.params().length + " floats, layout needs "
                    + layout.size());
        }
        TrainingState c = state.copy();
        params = c.params();
        adamM = c.adamM();
        adamV = c.adamV();
        step = c.step();
        grokfast = Grokfast.restore(config, c.grokfast(), layout.size());
    }

    @Override
    public TrainingState state() {
        return new TrainingState(params.clone(), adamM.clone(), adamV.clone(), step, grokfast.snapshot());
    }

    @Override
    public int runEpochs(long firstEpoch, int count, EpochSink sink) {
        boolean testAfter = config.testTiming() == TestTiming.AFTER_STEP;
        for (int i = 0; i < count; i++) {
            long epoch = firstEpoch + i;
            boolean evalTest = config.evaluatesTestAt(epoch);
            model.prepare(params);
            CpuModel.Totals tr = model.run(train, grad, null);
            if (rawGrad != null) {
                System.arraycopy(grad, 0, rawGrad, 0, grad.length);
            }
            CpuModel.Totals te = null;
            if (evalTest && !testAfter) {
                te = model.run(test, null, null);
            }
            optimiserStep();
            if (evalTest && testAfter) {
                model.prepare(params);
                te = model.run(test, null, null);
            }
            sink.accept(epoch, tr.meanLoss(), tr.accuracy(), te == null ? Double.NaN : te.meanLoss(),
                    te == null ? Double.NaN : te.accuracy(), tr.collapsedF32(), tr.collapsedF64());
        }
        return count;
    }

    private void optimiserStep() {
        trainable.maskGradient(grad);
        grokfast.filter(grad);
        if (config.gradProjection() == GradProjection.ORTHOGONAL) {
            OrthogonalGradient.project(layout, params, grad);
        }
        step++;
        AdamW.Scalars s = AdamW.scalars(config, step);
        for (int r = 0; r < trainable.count(); r++) {
            AdamW.apply(s, params, grad, adamM, adamV, trainable.from(r), trainable.to(r));
        }
    }

    @Override
    public float[] lastGradient() {
        if (rawGrad == null) {
            throw new IllegalStateException("the CPU engine keeps gradients only when the config has save_gradients");
        }
        return rawGrad.clone();
    }

    @Override
    public float[] logits(float[] p, int[] examples) {
        float[] out = new float[examples.length * layout.nOutputs];
        model.prepare(p);
        model.run(examples, null, out);
        return out;
    }

    /** What the analysis reads off a forward pass at the {@code =} position. */
    public record Activations(float[] logits, float[] neurons, float[] attention) {
    }

    /**
     * Logits [n, nOutputs], post-ReLU MLP activations [n, dMlp] and attention from {@code =} to positions 0, 1, 2
     * [n, nHeads, 3] for the given examples under the given parameters.
     */
    public Activations activations(float[] p, int[] examples) {
        int n = examples.length;
        float[] logits = new float[n * layout.nOutputs];
        float[] neurons = new float[n * layout.dMlp];
        float[] attention = new float[n * layout.nHeads * 3];
        model.prepare(p);
        model.run(examples, null, logits, neurons, attention);
        return new Activations(logits, neurons, attention);
    }

    @Override
    public double lossAndGradient(float[] p, int[] examples, float[] gradOut) {
        model.prepare(p);
        return model.run(examples, gradOut, null).meanLoss();
    }

    @Override
    public void close() {
        model.close();
    }
}
