package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CPU backend: the shared contract, plus float64-tight checks and thread-count independence. */
class CpuAnalysisBackendTest extends AnalysisBackendContract {

    @Override
    AnalysisBackend open(RunConfig config) {
        return new CpuAnalysisBackend(config, 2);
    }

    @Test
    void lossesAgreeWithTheReferenceToFloat64Precision() {
        RunConfig config = TestConfigs.small(11, 16, 2, 16);
        Random rnd = new Random(21);
        float[] logits = plantedLogits(11, config.nOutputs(), new int[] {3}, rnd);
        Split split = Split.of(config);
        AblationPlan plan = new AblationPlan(new int[] {3, 4}, split.train(), split.test(), true);
        try (AnalysisBackend backend = open(config)) {
            LogitMeasures got = backend.logitMeasures(new float[][] {logits}, plan)[0];
            assertMeasuresClose(Float64Reference.logitMeasures(11, config.nOutputs(), logits, plan), got,
                    Tolerances.FLOAT64_REL);
        }
    }

    @Test
    void tinyLossesKeepTheirRelativePrecision() {
        // A confident model: losses around 1e-12 to 1e-9, where log(1 + x) in float64 would lose most digits.
        RunConfig config = TestConfigs.small(11, 16, 2, 16);
        Random rnd = new Random(23);
        int nOut = config.nOutputs();
        float[] logits = new float[121 * nOut];
        for (int r = 0; r < 121; r++) {
            for (int c = 0; c < nOut; c++) {
                double v = 0.05 * rnd.nextGaussian();
                for (int k : new int[] {3, 4}) {
                    v += 40 * Math.cos(2 * Math.PI * k * (r / 11 + r % 11 - c) / 11);
                }
                logits[r * nOut + c] = (float) v;
            }
        }
        Split split = Split.of(config);
        AblationPlan plan = new AblationPlan(new int[] {3}, split.train(), split.test(), true);
        try (AnalysisBackend backend = open(config)) {
            LogitMeasures got = backend.logitMeasures(new float[][] {logits}, plan)[0];
            LogitMeasures ref = Float64Reference.logitMeasures(11, config.nOutputs(), logits, plan);
            assertTrue(ref.lossAll() < 1e-9 && ref.lossAll() > 0, "loss " + ref.lossAll());
            assertMeasuresClose(ref, got, Tolerances.FLOAT64_REL);
        }
    }

    @Test
    void extremeLogitsTakeTheDirectPathAndStillMatch() {
        // Gaps of ~1000 between logits: the shifted form would overflow, so the direct log-sum-exp is used.
        RunConfig config = TestConfigs.small(7, 8, 2, 8);
        Random rnd = new Random(24);
        float[] logits = plantedLogits(7, config.nOutputs(), new int[] {2}, rnd);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= 250;
        }
        Split split = Split.of(config);
        AblationPlan plan = new AblationPlan(new int[] {1, 2}, split.train(), split.test(), true);
        try (AnalysisBackend backend = open(config)) {
            LogitMeasures got = backend.logitMeasures(new float[][] {logits}, plan)[0];
            LogitMeasures ref = Float64Reference.logitMeasures(7, config.nOutputs(), logits, plan);
            assertTrue(ref.excludedLoss() > 100, "excluded " + ref.excludedLoss());
            assertMeasuresClose(ref, got, Tolerances.FLOAT64_REL);
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        RunConfig config = TestConfigs.small(13, 16, 2, 24);
        ParamLayout layout = new ParamLayout(config);
        Random rnd = new Random(22);
        float[][] batch = {randomParams(layout, rnd), randomParams(layout, rnd), randomParams(layout, rnd)};
        Split split = Split.of(config);
        AblationPlan plan = new AblationPlan(new int[] {2, 6}, split.train(), split.test(), false);
        try (AnalysisBackend one = new CpuAnalysisBackend(config, 1);
             AnalysisBackend three = new CpuAnalysisBackend(config, 3)) {
            float[][] l1 = one.logits(batch);
            float[][] l3 = three.logits(batch);
            for (int i = 0; i < batch.length; i++) {
                assertArrayEquals(l1[i], l3[i]);
                assertEquals(one.logitMeasures(l1, plan)[i].restrictedLoss(),
                        three.logitMeasures(l3, plan)[i].restrictedLoss());
                assertArrayEquals(one.weightMeasures(batch)[i].embedRowNorms(),
                        three.weightMeasures(batch)[i].embedRowNorms());
            }
            float[] acts = one.outputs(batch[0]).neurons();
            assertArrayEquals(one.fracExplained(acts, layout.dMlp), three.fracExplained(acts, layout.dMlp));
            float[] x = gaussian(rnd, 13 * 13 * 4, 1);
            assertArrayEquals(one.transform2d(x, 4), three.transform2d(x, 4));
        }
    }

    @Test
    void rejectsInputsOfTheWrongSize() {
        RunConfig config = TestConfigs.small(7, 8, 2, 8);
        try (AnalysisBackend backend = open(config)) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> backend.transform1d(new float[7 * 3 + 1], 3));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> backend.fracExplained(new float[10], 8));
        }
    }
}
