package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.check.DeviceCheck;
import io.jgrok.check.Verdict;
import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.LossFunction;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.engine.Engine;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.engine.cpu.ReferenceModel;
import io.jgrok.io.History;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.LOSS_REL;
import static io.jgrok.Tolerances.TRAINING_UPDATE_L2_REL;
import static io.jgrok.Tolerances.relativeError;
import static io.jgrok.Tolerances.relativeL2Error;

/**
 * The device engine against the CPU engine, run by DeviceEngineAgreementTest and DeviceTrainingTest (the emulated
 * device always, a GPU when there is one) and by {@code jgrok gpu-check}:
 *
 * <ul>
 *   <li>{@link #agreement()}: logits, loss and every gradient tensor against the plain float64
 *   {@link ReferenceModel} and against the CPU engine, on fresh random weights and example sets, for small shapes
 *   (one head, odd sizes, no '=' logit, batches that are not multiples of any block) and the paper's config, with
 *   the softmax and the StableMax cross-entropy.
 *   Gradient buffers are poisoned (NaN) before each pass, and the device's own buffers are NaN-poisoned at
 *   allocation, so an unwritten element fails.</li>
 *   <li>{@link #training()}: ten full training epochs from the same initial weights: every history row (train and
 *   test loss and accuracy) and the final weights. Covers the paper's config (10-step warmup whose first step runs
 *   at lr 0, test loss before the step), the TransformerLens demo's variant (frozen MLP biases, 113 logits, no
 *   warmup, test loss after the step), Grokfast EMA and MA, evaluation every few epochs, StableMax and ⊥Grad (alone
 *   and with either Grokfast filter); the softmax-collapse columns must agree too.</li>
 * </ul>
 */
public final class EngineChecks {
    private EngineChecks() {
    }

    /** Logits, loss and gradients against the float64 reference and the CPU engine, one check per shape. */
    public static List<DeviceCheck> agreement() {
        List<DeviceCheck> checks = new ArrayList<>();
        checks.add(agreement("p7 d8 h2 m16", TestConfigs.small(7, 8, 2, 16), 40, false));
        checks.add(agreement("p5 d4 h1 m8", TestConfigs.small(5, 4, 1, 8), 25, false));
        checks.add(agreement("p13 d16 h4 m24 no '=' logit", TestConfigs.with(TestConfigs.small(13, 16, 4, 24),
                b -> b.equalsLogit = false), 169, false));
        checks.add(agreement("p31 d24 h3 m40", TestConfigs.small(31, 24, 3, 40), 300, false));
        checks.add(agreement("p23 d64 h8 m70", TestConfigs.small(23, 64, 8, 70), 301, false));
        checks.add(agreement("paper config, paper init", TestConfigs.paper(1), 300, true));
        checks.add(agreement("paper config, random weights", TestConfigs.paper(1), 1000, false));
        checks.add(agreement("p7 d8 h2 m16, StableMax", stableMax(TestConfigs.small(7, 8, 2, 16)), 40, false));
        checks.add(agreement("p13 d16 h4 m24 no '=' logit, StableMax", stableMax(TestConfigs.with(
                TestConfigs.small(13, 16, 4, 24), b -> b.equalsLogit = false)), 169, false));
        checks.add(agreement("paper config, StableMax, random weights", stableMax(TestConfigs.paper(1)), 500, false));
        return checks;
    }

    private static RunConfig stableMax(RunConfig c) {
        return TestConfigs.with(c, b -> b.loss = LossFunction.STABLEMAX);
    }

    private static DeviceCheck agreement(String name, RunConfig config, int nExamples, boolean paperInit) {
        boolean paper = config.p() == Preset.PAPER.defaults().p() && config.dModel() == Preset.PAPER.defaults()
                .dModel();
        return new DeviceCheck("logits, loss, gradients: " + name, paper,
                (target, v) -> logitsLossAndGradients(target.device(), v, name, config, nExamples, paperInit));
    }

    private static void logitsLossAndGradients(Device device, Verdict v, String name, RunConfig config, int nExamples,
                                               boolean paperInit) {
        ParamLayout layout = new ParamLayout(config);
        Random rnd = new Random(name.hashCode() * 31L + 7);
        float[] params = paperInit ? Initializer.initialParameters(TestConfigs.with(config, b -> b.seed = 23))
                : RandomWeights.floats(layout, rnd, 0.6);
        int[] examples = RandomWeights.examples(config.p(), nExamples, rnd);
        double[] wide = RandomWeights.widen(params);
        ReferenceModel ref = new ReferenceModel(layout, config.loss());

        try (DeviceEngine engine = new DeviceEngine(config, Split.of(config), device, false, null);
             CpuEngine cpu = new CpuEngine(config, Split.of(config))) {
            float[] logits = engine.logits(params, examples);
            v.within("logits vs float64 reference (relative)", relativeError(logits, ref.logits(wide, examples),
                    FLOAT32_ABS_FLOOR), FLOAT32_REL);
            v.within("logits vs CPU engine (relative)", relativeError(logits, cpu.logits(params, examples),
                    FLOAT32_ABS_FLOOR), FLOAT32_REL);

            float[] grad = new float[layout.size()];
            Arrays.fill(grad, Float.NaN);
            double loss = engine.lossAndGradient(params, examples, grad);
            double[] refGrad = new double[layout.size()];
            double refLoss = ref.loss(wide, examples, refGrad);
            float[] cpuGrad = new float[layout.size()];
            double cpuLoss = cpu.lossAndGradient(params, examples, cpuGrad);
            v.atMost("loss vs float64 reference (relative)", Math.abs(loss - refLoss) / refLoss, LOSS_REL);
            v.atMost("loss vs CPU engine (relative)", Math.abs(loss - cpuLoss) / cpuLoss, LOSS_REL);
            for (ParamLayout.Tensor t : layout.tensors()) {
                float[] g = Arrays.copyOfRange(grad, t.offset(), t.end());
                v.within(t.name() + " gradient vs float64 reference (relative)", relativeError(g,
                        Arrays.copyOfRange(refGrad, t.offset(), t.end()), FLOAT32_ABS_FLOOR), FLOAT32_REL);
                v.within(t.name() + " gradient vs CPU engine (relative)", relativeError(g,
                        Arrays.copyOfRange(cpuGrad, t.offset(), t.end()), FLOAT32_ABS_FLOOR), FLOAT32_REL);
            }
            for (int i = 0; i < grad.length; i++) {
                v.isTrue("gradient element " + i + " (gaps included) was not written", Float.isFinite(grad[i]));
            }
        }
    }

    /** Ten epochs on the device against the CPU engine, one check per config. */
    public static List<DeviceCheck> training() {
        RunConfig tlDemo = TestConfigs.with(Preset.TL_DEMO.defaults(), b -> {
            b.p = 23;
            b.dModel = 32;
            b.dMlp = 48;
            b.device = "cpu";
            b.lr = 1e-2;
            b.seed = 3;
        });
        return List.of(
                training("paper config", TestConfigs.paper(10), true),
                training("small, warmup 3", small(b -> { }), false),
                training("tl-demo variant (frozen biases, after-step test)", tlDemo, false),
                training("small, Grokfast EMA", small(b -> b.grokfast = GrokfastMode.EMA), false),
                training("small, Grokfast MA window 3", small(b -> {
                    b.grokfast = GrokfastMode.MA;
                    b.grokfastWindow = 3;
                }), false),
                training("small, test every 3rd epoch", small(b -> b.evalEvery = 3), false),
                training("small, StableMax", small(b -> b.loss = LossFunction.STABLEMAX), false),
                training("small, ⊥Grad", small(b -> b.gradProjection = GradProjection.ORTHOGONAL), false),
                training("small, ⊥Grad + Grokfast MA window 3", small(b -> {
                    b.gradProjection = GradProjection.ORTHOGONAL;
                    b.grokfast = GrokfastMode.MA;
                    b.grokfastWindow = 3;
                }), false),
                training("tl-demo variant, StableMax + ⊥Grad + Grokfast EMA", TestConfigs.with(tlDemo, b -> {
                    b.loss = LossFunction.STABLEMAX;
                    b.gradProjection = GradProjection.ORTHOGONAL;
                    b.grokfast = GrokfastMode.EMA;
                }), false),
                training("paper config, candidate kernel versions", TestConfigs.paper(10), true,
                        KernelVariants.candidates()),
                training("small, candidate kernel versions", small(b -> { }), false, KernelVariants.candidates()));
    }

    private static RunConfig small(Consumer<RunConfig.Builder> change) {
        RunConfig base = TestConfigs.with(TestConfigs.small(23, 32, 4, 48), b -> {
            b.lr = 1e-2;
            b.warmupSteps = 3;
            b.trainFraction = 0.4;
            b.seed = 5;
        });
        return TestConfigs.with(base, change);
    }

    private static DeviceCheck training(String name, RunConfig config, boolean paper) {
        return training(name, config, paper, KernelVariants.DEFAULTS);
    }

    private static DeviceCheck training(String name, RunConfig config, boolean paper, KernelVariants variants) {
        return new DeviceCheck("ten epochs vs the CPU engine: " + name + (variants.isDefault() ? ""
                : " (" + variants.describe() + ")"), paper, (target, v) -> tenEpochs(target.device(), v, name, config,
                variants));
    }

    private static void tenEpochs(Device device, Verdict v, String name, RunConfig config, KernelVariants variants) {
        Split split = Split.of(config);
        TrainingState start = TrainingState.fresh(Initializer.initialParameters(config));
        History cpuHistory = new History();
        History devHistory = new History();
        TrainingState cpuEnd;
        TrainingState devEnd;
        try (Engine cpu = new CpuEngine(config, split)) {
            cpu.setState(start);
            cpu.runEpochs(0, 4, cpuHistory);
            cpu.runEpochs(4, 6, cpuHistory);
            cpuEnd = cpu.state();
        }
        try (DeviceEngine dev = new DeviceEngine(config, split, device, false, null, variants)) {
            dev.setState(start);
            dev.runEpochs(0, 4, devHistory);  // the first epoch eager, then graph replays
            dev.runEpochs(4, 6, devHistory);
            devEnd = dev.state();
        }
        v.equal("history rows", 10, devHistory.size());
        for (int i = 0; i < 10; i++) {
            v.equal("epoch of history row " + i, i, devHistory.epoch(i));
            row(v, name, "train", i, cpuHistory.trainLoss(i), devHistory.trainLoss(i), cpuHistory.trainAcc(i),
                    devHistory.trainAcc(i), split.trainSize());
            // Collapse fractions: a row whose sum sits exactly at the rounding edge may differ by one example.
            v.close("float32 softmax collapse at epoch " + i, cpuHistory.collapsedF32(i), devHistory.collapsedF32(i),
                    2.5 / split.trainSize());
            v.close("float64 softmax collapse at epoch " + i, cpuHistory.collapsedF64(i), devHistory.collapsedF64(i),
                    2.5 / split.trainSize());
            boolean tested = config.evaluatesTestAt(i);
            v.equal("test evaluated at epoch " + i, tested, !Double.isNaN(devHistory.testLoss(i)));
            if (tested) {
                row(v, name, "test", i, cpuHistory.testLoss(i), devHistory.testLoss(i), cpuHistory.testAcc(i),
                        devHistory.testAcc(i), split.testSize());
            }
        }
        v.equal("optimiser steps", cpuEnd.step(), devEnd.step());
        ParamLayout layout = new ParamLayout(config);
        for (ParamLayout.Tensor t : layout.tensors()) {
            float[] cpuUpdate = update(start.params(), cpuEnd.params(), t);
            float[] devUpdate = update(start.params(), devEnd.params(), t);
            if (norm(cpuUpdate) == 0 && norm(devUpdate) == 0) {
                v.isTrue(t.name() + ": neither engine moved it", true);
            } else {
                v.within(t.name() + ": update after 10 epochs (L2, relative)", relativeL2Error(devUpdate, cpuUpdate),
                        TRAINING_UPDATE_L2_REL);
            }
        }
        v.equal("Grokfast state entries", cpuEnd.grokfast().length, devEnd.grokfast().length);
        if (!config.trainMlpBiases()) {
            ParamLayout.Tensor bIn = layout.tensor(ParamLayout.B_IN);
            for (int i = bIn.offset(); i < bIn.end(); i++) {
                v.equal("frozen b_in must stay 0", 0f, devEnd.params()[i]);
            }
        }
    }

    private static void row(Verdict v, String name, String set, int epoch, double cpuLoss, double devLoss,
                            double cpuAcc, double devAcc, int size) {
        v.within(String.format(Locale.ROOT, "%s: %s loss at epoch %d: device %.9g, cpu %.9g (relative)", name, set,
                epoch, devLoss, cpuLoss), Math.abs(devLoss - cpuLoss) / Math.abs(cpuLoss),
                Tolerances.TRAINING_HISTORY_REL);
        // Accuracy can differ only through examples whose top two logits tie within float32 noise.
        v.atMost(String.format(Locale.ROOT, "%s: %s accuracy at epoch %d: device %.6f, cpu %.6f (examples)", name,
                set, epoch, devAcc, cpuAcc), Math.abs(devAcc - cpuAcc) * size, 2.5);
    }

    private static float[] update(float[] before, float[] after, ParamLayout.Tensor t) {
        float[] u = new float[t.size()];
        for (int i = 0; i < u.length; i++) {
            u[i] = after[t.offset() + i] - before[t.offset() + i];
        }
        return u;
    }

    private static double norm(float[] x) {
        double sum = 0;
        for (float f : x) {
            sum += (double) f * f;
        }
        return Math.sqrt(sum);
    }
}
