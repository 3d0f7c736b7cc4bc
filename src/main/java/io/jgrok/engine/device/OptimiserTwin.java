package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.check.Verdict;
import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.engine.device.Workspace.Buf;
import io.jgrok.optim.AdamW;
import io.jgrok.optim.Grokfast;
import io.jgrok.optim.OrthogonalGradient;
import io.jgrok.optim.TrainableRanges;

import static io.jgrok.engine.device.KernelFixture.MODELS;

/**
 * The Java optimiser beside the optimiser kernels, on a {@link KernelFixture}'s models: the same starting state
 * uploaded to both sides, then per step the Java mask, Grokfast filter, ⊥Grad projection (when the config has it)
 * and AdamW on each model's copy, as the CPU engine steps, while the caller runs the kernels on the same gradients.
 * The configuration exercises every part: Grokfast with window 3, alpha 0.9, lambda 1.5; 3 warmup steps (the first
 * step at lr 0); lr 3e-2; the MLP biases frozen, so that the frozen ranges are hit.
 */
final class OptimiserTwin {
    /** Steps whose schedule rows are uploaded: the checks run this many. */
    static final int STEPS = 5;

    final RunConfig config;
    final int window;
    final float[][] params = new float[MODELS][];
    final float[][] adamM = new float[MODELS][];
    final float[][] adamV = new float[MODELS][];
    private final KernelFixture fx;
    private final TrainableRanges trainable;
    private final Grokfast[] filters = new Grokfast[MODELS];

    /** The checks' optimiser configuration with Grokfast {@code mode} and gradient projection {@code projection}. */
    static RunConfig config(GrokfastMode mode, GradProjection projection) {
        return TestConfigs.with(TestConfigs.small(7, 16, 2, 24), b -> {
            b.grokfast = mode;
            b.grokfastWindow = 3;
            b.grokfastAlpha = 0.9;
            b.grokfastLambda = 1.5;
            b.warmupSteps = 3;
            b.lr = 3e-2;
            b.trainMlpBiases = false;  // frozen ranges too
            b.gradProjection = projection;
        });
    }

    /** The Grokfast window the workspace and the kernels take for {@code config}: its window for MA, else 1. */
    static int window(RunConfig config) {
        return config.grokfast() == GrokfastMode.MA ? config.grokfastWindow() : 1;
    }

    /**
     * Uploads to {@code fx}'s open workspace (opened for {@code config}'s Grokfast mode and {@link #window}), per
     * model, {@code start} as the parameters, zero Adam moments, the frozen ranges and the schedule rows of steps 1 to
     * {@link #STEPS}; the Java side starts from the same.
     */
    OptimiserTwin(KernelFixture fx, RunConfig config, float[][] start) {
        this.fx = fx;
        this.config = config;
        this.window = window(config);
        this.trainable = TrainableRanges.of(config, fx.layout);
        int size = fx.s.size();
        float[] schedule = new float[16 * STEPS];
        for (int j = 0; j < STEPS; j++) {
            DeviceBatch.scheduleRow(config, j + 1, schedule, 16 * j);
        }
        for (int z = 0; z < MODELS; z++) {
            params[z] = start[z].clone();
            adamM[z] = new float[size];
            adamV[z] = new float[size];
            filters[z] = Grokfast.restore(config, new float[0][], size);
            fx.device.copyToDevice(fx.at(Buf.PARAMS, z), params[z], 0, size);
            fx.device.copyToDevice(fx.at(Buf.ADAM_M, z), adamM[z], 0, size);
            fx.device.copyToDevice(fx.at(Buf.ADAM_V, z), adamV[z], 0, size);
            fx.device.copyToDevice(fx.at(Buf.INFO, z), DeviceBatch.frozenRanges(config, fx.layout), 0, 4);
            fx.device.copyToDevice(fx.at(Buf.SCHEDULE, z), schedule, 0, schedule.length);
        }
    }

    /**
     * Uploads {@code g} as model z's gradient, then takes optimiser step {@code step} (1-based) on the Java side with
     * it (g is consumed: masked, filtered, projected in place).
     */
    void step(int z, int step, float[] g) {
        fx.device.copyToDevice(fx.at(Buf.GRAD, z), g, 0, fx.s.size());
        trainable.maskGradient(g);
        filters[z].filter(g);
        if (config.gradProjection() == GradProjection.ORTHOGONAL) {
            OrthogonalGradient.project(fx.layout, params[z], g);
        }
        AdamW.Scalars sc = AdamW.scalars(config, step);
        for (int r = 0; r < trainable.count(); r++) {
            AdamW.apply(sc, params[z], g, adamM[z], adamV[z], trainable.from(r), trainable.to(r));
        }
    }

    /**
     * After {@code steps} steps and epoch advances: model z's epoch counter, Grokfast's count of entries and its state
     * (the EMA, or the MA ring oldest first) bit for bit (the same float32 operations on both sides).
     */
    void checkGrokfastState(Verdict verdict, int z, int steps) {
        int size = fx.s.size();
        int[] st = new int[4];
        fx.device.copyToHost(st, 0, fx.at(Buf.STATE, z), 4);
        verdict.equal("epoch counter", steps, st[0]);
        float[][] expected = filters[z].snapshot();
        if (config.grokfast() == GrokfastMode.EMA) {
            verdict.equal("EMA entries", 1, st[1]);
            verdict.same("Grokfast EMA, model " + z, expected[0], fx.get(Buf.GF_MU, z, size));
        } else if (config.grokfast() == GrokfastMode.MA) {
            verdict.equal("MA entries", Math.min(steps, window), st[1]);
            for (int i = 0; i < st[1]; i++) {
                int slot = (st[2] + i) % window;
                float[] got = new float[size];
                fx.device.copyToHost(got, 0, fx.at(Buf.GF_RING, z).floatAt((long) slot * size), size);
                verdict.same("Grokfast MA entry " + i + ", model " + z, expected[i], got);
            }
        }
    }
}
