package io.jgrok.golden;

import io.jgrok.Tolerances;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU engine against values PyTorch computed for the same weights (tools/make_golden.py; the files are
 * committed, so no PyTorch is needed here). Logits, the float64 loss and every parameter's gradient are compared
 * with the float64 PyTorch model; three full-batch AdamW + warmup epochs with the float32 PyTorch run.
 */
class GoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"small_paper", "small_tl", "paper"})
    void logitsMatchPyTorch(String name) {
        GoldenFile g = GoldenFile.load(name);
        try (CpuEngine engine = engineFor(g)) {
            float[] logits = engine.logits(g.flat("params."), g.examples);
            double vs64 = Tolerances.relativeError(logits, g.tensor("logits.f64").data(),
                    Tolerances.FLOAT32_ABS_FLOOR);
            double vs32 = Tolerances.relativeError(logits, g.tensor("logits.f32").data(),
                    Tolerances.FLOAT32_ABS_FLOOR);
            report(name, "logits vs torch float64", vs64);
            report(name, "logits vs torch float32", vs32);
            assertTrue(vs64 <= Tolerances.FLOAT32_REL, name + ": logits differ from PyTorch float64 by " + vs64);
            assertTrue(vs32 <= Tolerances.FLOAT32_REL, name + ": logits differ from PyTorch float32 by " + vs32);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small_paper", "small_tl", "paper"})
    void lossAndGradientsMatchPyTorch(String name) {
        GoldenFile g = GoldenFile.load(name);
        try (CpuEngine engine = engineFor(g)) {
            float[] grad = new float[g.layout.size()];
            double loss = engine.lossAndGradient(g.flat("params."), g.examples, grad);
            double expectedLoss = g.scalar("loss.f64");
            double lossErr = Math.abs(loss - expectedLoss) / Math.abs(expectedLoss);
            report(name, "loss", lossErr);
            assertTrue(lossErr <= Tolerances.LOSS_REL,
                    name + ": loss " + loss + " vs PyTorch float64 " + expectedLoss);
            float[] expected = g.flat("grad.f64.");
            for (ParamLayout.Tensor t : g.layout.tensors()) {
                double err = Tolerances.relativeError(slice(grad, t), slice(expected, t),
                        Tolerances.FLOAT32_ABS_FLOOR);
                report(name, "grad " + t.name(), err);
                assertTrue(err <= Tolerances.FLOAT32_REL,
                        name + ": gradient of " + t.name() + " differs from PyTorch float64 by " + err);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small_paper", "small_tl", "paper"})
    void threeTrainingEpochsMatchPyTorch(String name) {
        GoldenFile g = GoldenFile.load(name);
        float[] before = g.flat("params.");
        double[] trainLoss = new double[g.steps];
        double[] testLoss = new double[g.steps];
        TrainingState after;
        try (CpuEngine engine = engineFor(g)) {
            engine.setState(TrainingState.fresh(before.clone()));
            engine.runEpochs(0, g.steps, (epoch, tr, trAcc, te, teAcc) -> {
                trainLoss[(int) epoch] = tr;
                testLoss[(int) epoch] = te;
            });
            after = engine.state();
        }
        assertEquals(g.steps, after.step());
        float[] expTrain = g.tensor("train_losses").data();
        float[] expTest = g.tensor("test_losses").data();
        for (int e = 0; e < g.steps; e++) {
            double trErr = Math.abs(trainLoss[e] - expTrain[e]) / expTrain[e];
            double teErr = Math.abs(testLoss[e] - expTest[e]) / expTest[e];
            report(name, "epoch " + e + " train loss", trErr);
            report(name, "epoch " + e + " test loss", teErr);
            assertTrue(trErr <= Tolerances.LOSS_REL, name + ": epoch " + e + " train loss " + trainLoss[e]
                    + " vs PyTorch " + expTrain[e]);
            assertTrue(teErr <= Tolerances.LOSS_REL, name + ": epoch " + e + " test loss " + testLoss[e]
                    + " vs PyTorch " + expTest[e]);
        }
        float[] expected = g.flat("after.");
        for (ParamLayout.Tensor t : g.layout.tensors()) {
            double paramErr = Tolerances.relativeError(slice(after.params(), t), slice(expected, t),
                    Tolerances.FLOAT32_ABS_FLOOR);
            report(name, "weights " + t.name(), paramErr);
            assertTrue(paramErr <= Tolerances.TRAINING_STEP_REL,
                    name + ": " + t.name() + " after " + g.steps + " steps differs from PyTorch by " + paramErr);
            // The steps move each weight by ~lr, far less than its size, so the updates themselves are compared
            // too; see ADAM_UPDATE_L2_REL for why by their L2 norm.
            float[] update = difference(after.params(), before, t);
            float[] expectedUpdate = difference(expected, before, t);
            report(name, "update (elementwise) " + t.name(),
                    Tolerances.relativeError(update, expectedUpdate, Tolerances.FLOAT32_ABS_FLOOR));
            double updateErr = Tolerances.relativeL2Error(update, expectedUpdate);
            report(name, "update (L2) " + t.name(), updateErr);
            assertTrue(updateErr <= Tolerances.ADAM_UPDATE_L2_REL,
                    name + ": the update of " + t.name() + " over " + g.steps + " steps differs from PyTorch's by "
                            + updateErr + " (relative L2)");
        }
        if (g.has("after.exp_avg." + ParamLayout.W_E)) {
            for (String key : new String[] {"exp_avg", "exp_avg_sq"}) {
                float[] mine = key.equals("exp_avg") ? after.adamM() : after.adamV();
                float[] theirs = g.flat("after." + key + ".");
                for (ParamLayout.Tensor t : g.layout.tensors()) {
                    // A floor of MIN_NORMAL: frozen tensors must have exactly zero moments, as in PyTorch.
                    double err = Tolerances.relativeError(slice(mine, t), slice(theirs, t), Double.MIN_NORMAL);
                    report(name, key + " " + t.name(), err);
                    assertTrue(err <= Tolerances.FLOAT32_REL,
                            name + ": AdamW " + key + " of " + t.name() + " differs from PyTorch by " + err);
                }
            }
        }
    }

    private static CpuEngine engineFor(GoldenFile g) {
        return new CpuEngine(g.config, Split.fromTrainIndices(g.config.p(), g.examples, g.name));
    }

    private static float[] slice(float[] flat, ParamLayout.Tensor t) {
        return Arrays.copyOfRange(flat, t.offset(), t.end());
    }

    private static float[] difference(float[] flat, float[] base, ParamLayout.Tensor t) {
        float[] d = new float[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = flat[t.offset() + i] - base[t.offset() + i];
        }
        return d;
    }

    private static void report(String file, String what, double relErr) {
        if (Boolean.getBoolean("jgrok.test.verbose")) {
            System.out.printf(Locale.ROOT, "golden %-12s %-40s max rel err %.3e%n", file, what, relErr);
        }
    }
}
