package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.check.Verdict;
import io.jgrok.config.FourierOrder;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link AnalysisBackend} must satisfy, checked against {@link Float64Reference} on fresh random inputs
 * (and, for the forward passes, against the CPU engine). A backend's test class extends this and says how to open
 * it; the device backend (run on the emulated device in CI) gets the same checks as the CPU one. Tolerances are
 * those of float32 arithmetic, so a float32 device implementation passes; the CPU backend's own test adds tighter
 * float64 checks.
 */
abstract class AnalysisBackendContract {

    /** Opens the backend under test for a model shape. */
    abstract AnalysisBackend open(RunConfig config);

    /** An odd prime in the paper's order, and an even composite p in the TransformerLens order (Nyquist row). */
    static Stream<RunConfig> configs() {
        return Stream.of(
                TestConfigs.small(13, 16, 2, 24),
                TestConfigs.with(TestConfigs.small(12, 16, 4, 20), b -> {
                    b.fourierOrder = FourierOrder.SIN_FIRST;
                    b.equalsLogit = false;
                }));
    }

    static double relErr(double[] actual, double[] expected, double floor) {
        return AnalysisAgreement.relErr(actual, expected, floor);
    }

    static double relErr(double actual, double expected) {
        return AnalysisAgreement.relErr(actual, expected);
    }

    /** Relative error of a loss, with no absolute floor: losses of 1e-12 must still agree in their leading digits. */
    static double lossErr(double actual, double expected) {
        return AnalysisAgreement.lossErr(actual, expected);
    }

    static float[] gaussian(Random rnd, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (scale * rnd.nextGaussian());
        }
        return x;
    }

    static float[] randomParams(ParamLayout layout, Random rnd) {
        float[] w = new float[layout.size()];
        for (ParamLayout.Tensor t : layout.tensors()) {
            double std = 2.0 / Math.sqrt(layout.dModel);
            for (int i = t.offset(); i < t.end(); i++) {
                w[i] = (float) (std * rnd.nextGaussian());
            }
        }
        return w;
    }

    /** Random logits with a planted cos(w_k(a+b-c)) signal at two frequencies, so every ablation matters. */
    static float[] plantedLogits(int p, int nOut, int[] planted, Random rnd) {
        float[] l = new float[p * p * nOut];
        for (int r = 0; r < p * p; r++) {
            int s = r / p + r % p;
            for (int c = 0; c < nOut; c++) {
                double v = 1.5 * rnd.nextGaussian();
                for (int k : planted) {
                    v += 4 * Math.cos(2 * Math.PI * k * (s - c) / p);
                }
                l[r * nOut + c] = (float) v;
            }
        }
        return l;
    }

    @ParameterizedTest
    @MethodSource("configs")
    void transform1dMatchesReference(RunConfig config) {
        Random rnd = new Random(11);
        int p = config.p();
        double[][] f = Float64Reference.basisMatrix(p, config.fourierOrder());
        try (AnalysisBackend backend = open(config)) {
            for (int m : new int[] {1, 7}) {
                float[] x = gaussian(rnd, p * m, 1.0);
                float[] y = backend.transform1d(x, m);
                assertTrue(Tolerances.relativeError(y, Float64Reference.transform1d(f, x, m),
                        Tolerances.FLOAT32_ABS_FLOOR) < Tolerances.FLOAT32_REL);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void transform2dMatchesReferenceAndDftRoute(RunConfig config) {
        Random rnd = new Random(12);
        int p = config.p();
        double[][] f = Float64Reference.basisMatrix(p, config.fourierOrder());
        try (AnalysisBackend backend = open(config)) {
            int m = 3;
            float[] x = gaussian(rnd, p * p * m, 1.0);
            float[] y = backend.transform2d(x, m);
            double[] ref = Float64Reference.transform2d(f, Float64Reference.widen(x), m);
            assertTrue(Tolerances.relativeError(y, ref, Tolerances.FLOAT32_ABS_FLOOR) < Tolerances.FLOAT32_REL);
            double[] dft = Dft.transform2d(backend.basis(), Float64Reference.widen(x), m);
            assertTrue(relErr(dft, ref, Tolerances.FLOAT32_ABS_FLOOR) < Tolerances.FLOAT64_REL);
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void fracExplainedMatchesReference(RunConfig config) {
        Random rnd = new Random(13);
        int p = config.p();
        ParamLayout layout = new ParamLayout(config);
        try (AnalysisBackend backend = open(config)) {
            float[] acts = backend.outputs(randomParams(layout, rnd)).neurons();
            // One dead neuron: all fractions must be 0.
            for (int r = 0; r < p * p; r++) {
                acts[r * layout.dMlp + 3] = 0f;
            }
            double[] frac = backend.fracExplained(acts, layout.dMlp);
            double[] ref = Float64Reference.fracExplained(Float64Reference.basisMatrix(p, config.fourierOrder()),
                    config.fourierOrder(), acts, layout.dMlp);
            assertEquals(ref.length, frac.length);
            assertTrue(relErr(frac, ref, 1.0) < Tolerances.FLOAT32_REL);
            for (int k = 0; k < p / 2; k++) {
                assertEquals(0.0, frac[3 * (p / 2) + k]);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void logitMeasuresMatchReference(RunConfig config) {
        Random rnd = new Random(14);
        int p = config.p();
        int nOut = config.nOutputs();
        Split split = Split.of(config);
        int[] planted = {2, 5};
        float[] logits = plantedLogits(p, nOut, planted, rnd);
        try (AnalysisBackend backend = open(config)) {
            for (int[] keys : new int[][] {{2, 5}, {1, 2, 6}, {}}) {
                for (boolean per : new boolean[] {true, false}) {
                    AblationPlan plan = new AblationPlan(keys, split.train(), split.test(), per);
                    LogitMeasures got = backend.logitMeasures(new float[][] {logits}, plan)[0];
                    LogitMeasures ref = Float64Reference.logitMeasures(p, nOut, logits, plan);
                    assertMeasuresClose(ref, got, Tolerances.LOSS_REL);
                }
            }
        }
    }

    static void assertMeasuresClose(LogitMeasures ref, LogitMeasures got, double tol) {
        AnalysisAgreement.measures(new Verdict(), ref, got, tol, "measures");
    }

    @ParameterizedTest
    @MethodSource("configs")
    void weightMeasuresMatchReference(RunConfig config) {
        Random rnd = new Random(15);
        ParamLayout layout = new ParamLayout(config);
        float[][] batch = {randomParams(layout, rnd), randomParams(layout, rnd), randomParams(layout, rnd)};
        try (AnalysisBackend backend = open(config)) {
            WeightMeasures[] got = backend.weightMeasures(batch);
            assertEquals(batch.length, got.length);
            for (int i = 0; i < batch.length; i++) {
                WeightMeasures ref = Float64Reference.weightMeasures(layout, config.fourierOrder(), batch[i]);
                assertTrue(relErr(got[i].embedRowNorms(), ref.embedRowNorms(), 1.0) < Tolerances.FLOAT32_REL);
                assertTrue(relErr(got[i].neuronLogitRowNorms(), ref.neuronLogitRowNorms(), 1.0)
                        < Tolerances.FLOAT32_REL);
                assertTrue(relErr(got[i].giniEmbed(), ref.giniEmbed()) < Tolerances.FLOAT32_REL);
                assertTrue(relErr(got[i].giniNeuronLogit(), ref.giniNeuronLogit()) < Tolerances.FLOAT32_REL);
                assertTrue(relErr(got[i].sumOfSquares(), ref.sumOfSquares()) < Tolerances.FLOAT32_REL);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void forwardPassesMatchTheCpuEngineAndBatchesMatchSingles(RunConfig config) {
        Random rnd = new Random(16);
        ParamLayout layout = new ParamLayout(config);
        int n = config.p() * config.p();
        int[] all = java.util.stream.IntStream.range(0, n).toArray();
        float[][] batch = new float[5][];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = randomParams(layout, rnd);
        }
        Split split = Split.of(config);
        AblationPlan plan = new AblationPlan(new int[] {1, 3}, split.train(), split.test(), false);
        try (AnalysisBackend backend = open(config); CpuEngine engine = new CpuEngine(config, split)) {
            float[][] logits = backend.logits(batch);
            LogitMeasures[] measures = backend.logitMeasures(logits, plan);
            for (int i = 0; i < batch.length; i++) {
                float[] ref = engine.logits(batch[i], all);
                assertTrue(Tolerances.relativeError(logits[i], ref, Tolerances.FLOAT32_ABS_FLOOR)
                        < Tolerances.FLOAT32_REL);
                LogitMeasures single = backend.logitMeasures(new float[][] {logits[i]}, plan)[0];
                assertEquals(single.lossAll(), measures[i].lossAll());
                assertArrayEquals(single.excludedLossPerFrequency(), measures[i].excludedLossPerFrequency());
            }
            ModelOutputs out = backend.outputs(batch[0]);
            CpuEngine.Activations ref = engine.activations(batch[0], all);
            assertTrue(Tolerances.relativeError(out.logits(), ref.logits(), Tolerances.FLOAT32_ABS_FLOOR)
                    < Tolerances.FLOAT32_REL);
            assertTrue(Tolerances.relativeError(out.neurons(), ref.neurons(), Tolerances.FLOAT32_ABS_FLOOR)
                    < Tolerances.FLOAT32_REL);
            assertTrue(Tolerances.relativeError(out.attention(), ref.attention(), Tolerances.FLOAT32_ABS_FLOOR)
                    < Tolerances.FLOAT32_REL);
        }
    }
}
