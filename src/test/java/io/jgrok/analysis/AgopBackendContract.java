package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.FourierOrder;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every backend's {@link AnalysisBackend#agop} must satisfy: equal to the brute-force float64 AGOP
 * ({@link AgopReference}: explicit per-example Jacobians) on fresh random weights, over several shapes and a batch
 * of checkpoints; symmetric and PSD; independent of the batch a checkpoint is in. Subclasses open the backend (the
 * CPU one, the device one on the emulated device in CI and on a GPU where there is one).
 */
abstract class AgopBackendContract {

    abstract AnalysisBackend open(RunConfig config);

    /** Shapes: odd prime with the '=' logit; several heads; an even p without the '=' logit (tl-demo order). */
    static Stream<RunConfig> configs() {
        return Stream.of(
                TestConfigs.small(7, 8, 2, 12),
                TestConfigs.small(11, 16, 4, 24),
                TestConfigs.with(TestConfigs.small(10, 12, 3, 20), b -> {
                    b.fourierOrder = FourierOrder.SIN_FIRST;
                    b.equalsLogit = false;
                    b.trainFraction = 0.5;
                }));
    }

    /** Random weights of the test's scale, with attention that is far from uniform and MLP biases that matter. */
    static float[] weights(ParamLayout layout, long seed) {
        return AnalysisBackendContract.randomParams(layout, new Random(seed));
    }

    static double maxAbs(double[] x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static double relErr(double[] actual, double[] expected) {
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        }
        return diff / Math.max(maxAbs(expected), Tolerances.FLOAT32_ABS_FLOOR);
    }

    @ParameterizedTest
    @MethodSource("configs")
    void agopEqualsTheBruteForceEvaluationForEveryCheckpointOfABatch(RunConfig config) {
        ParamLayout layout = new ParamLayout(config);
        Split split = Split.of(config);
        float[][] batch = {weights(layout, 1), weights(layout, 2), weights(layout, 3)};
        try (AnalysisBackend backend = open(config)) {
            double[][] got = backend.agop(batch, split.train());
            assertEquals(batch.length, got.length);
            for (int i = 0; i < batch.length; i++) {
                double[] expected = new AgopReference(layout, batch[i]).agop(split.train());
                assertEquals(4 * config.p() * config.p(), got[i].length);
                double err = relErr(got[i], expected);
                assertTrue(err < Tolerances.FLOAT32_REL, config.p() + "/" + config.dModel() + " checkpoint " + i
                        + ": max error " + err + " of the largest entry");
            }
        }
    }

    @Test
    void agopIsSymmetricPsdAndIndependentOfTheBatch() {
        RunConfig config = TestConfigs.small(11, 16, 4, 24);
        ParamLayout layout = new ParamLayout(config);
        int[] examples = Split.of(config).train();
        float[] a = weights(layout, 11);
        float[] b = weights(layout, 12);
        try (AnalysisBackend backend = open(config)) {
            double[] alone = backend.agop(new float[][] {a}, examples)[0];
            double[] inBatch = backend.agop(new float[][] {b, a}, examples)[1];
            assertEquals(0, relErr(inBatch, alone), "a checkpoint's AGOP does not depend on its batch");
            int n = 2 * config.p();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    assertEquals(alone[i * n + j], alone[j * n + i], 0.0, "symmetric at (" + i + ", " + j + ")");
                }
            }
            double[] values = SymmetricEigen.of(alone, n).values();
            double largest = 0;
            for (double v : values) {
                largest = Math.max(largest, v);
            }
            for (double v : values) {
                assertTrue(v > -Tolerances.FLOAT32_REL * largest, "PSD: eigenvalue " + v + " of largest " + largest);
            }
            assertTrue(largest > 0);
        }
    }

    @Test
    void agopOverOneExampleIsTheOuterProductOfItsJacobian() {
        RunConfig config = TestConfigs.small(7, 8, 2, 12);
        ParamLayout layout = new ParamLayout(config);
        float[] w = weights(layout, 21);
        int p = config.p();
        int ex = 3 * p + 5;
        try (AnalysisBackend backend = open(config)) {
            double[] got = backend.agop(new float[][] {w}, new int[] {ex})[0];
            double[] jac = new AgopReference(layout, w).jacobian(ex / p, ex % p);
            double[] expected = new double[4 * p * p];
            for (int c = 0; c < p; c++) {
                for (int i = 0; i < 2 * p; i++) {
                    for (int k = 0; k < 2 * p; k++) {
                        expected[i * 2 * p + k] += jac[c * 2 * p + i] * jac[c * 2 * p + k];
                    }
                }
            }
            assertTrue(relErr(got, expected) < Tolerances.FLOAT32_REL, "error " + relErr(got, expected));
        }
    }
}
