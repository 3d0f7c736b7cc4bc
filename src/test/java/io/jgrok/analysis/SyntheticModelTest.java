package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.FourierOrder;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known answers: a hand-made model implementing the Fourier algorithm with k = 5 and 17 ({@link SyntheticFourierModel})
 * must be found to use exactly those frequencies, with every neuron clustered, restricted loss no worse than the
 * full loss and excluded loss at or above chance; random weights must show no clean clusters.
 */
class SyntheticModelTest {
    static final int P = 37;
    static final int[] KEYS = {5, 17};
    /** Logit scale that makes the hand-made model confident (loss well under 1e-2). */
    static final double SCALE = 1000;
    /** What "a low loss" means for the hand-made model. */
    static final double LOW_LOSS = 1e-2;
    /** Random weights: at most this fraction of neurons may pass the 0.85 threshold. */
    static final double RANDOM_CLUSTERED_MAX = 0.05;

    static RunConfig config(FourierOrder order) {
        return TestConfigs.with(TestConfigs.small(P, 32, 4, 64), b -> {
            b.fourierOrder = order;
            b.threads = 2;
        });
    }

    static FinalAnalysis.Result analyze(RunConfig c, float[] params) {
        try (AnalysisBackend backend = new CpuAnalysisBackend(c, 2)) {
            return FinalAnalysis.analyze(backend, new ParamLayout(c), params, 0, Split.of(c));
        }
    }

    @Test
    void theHandMadeModelReallyComputesTheSumThroughTheEngine() {
        RunConfig c = config(FourierOrder.COS_FIRST);
        float[] w = SyntheticFourierModel.build(c, KEYS, SCALE);
        Split split = Split.of(c);
        try (CpuEngine engine = new CpuEngine(c, split)) {
            double trainLoss = engine.lossAndGradient(w, split.train(), new float[w.length]);
            double testLoss = engine.lossAndGradient(w, split.test(), new float[w.length]);
            assertTrue(trainLoss < LOW_LOSS && testLoss < LOW_LOSS, trainLoss + " " + testLoss);
        }
    }

    @ParameterizedTest
    @EnumSource(FourierOrder.class)
    void findsExactlyTheChosenFrequencies(FourierOrder order) {
        RunConfig c = config(order);
        FinalAnalysis.Result r = analyze(c, SyntheticFourierModel.build(c, KEYS, SCALE));
        assertArrayEquals(KEYS, r.clusters().keyFrequencies());
        assertEquals(64, r.clusters().clusteredCount(), "every neuron is a function of one frequency");
        for (NeuronClusters.Cluster cl : r.clusters().clusters()) {
            assertEquals(32, cl.clustered());
        }
        LogitMeasures l = r.logits();
        assertEquals(1.0, l.accuracyAll());
        assertTrue(l.lossAll() < LOW_LOSS, "loss " + l.lossAll());
        assertTrue(l.restrictedLoss() <= l.lossAll(), "restricted " + l.restrictedLoss() + " vs " + l.lossAll());
        assertEquals(1.0, l.restrictedAccuracy());
        double chance = Math.log(P);
        assertTrue(l.excludedLoss() >= chance, "excluded " + l.excludedLoss() + " vs chance " + chance);
        for (double perFrequency : l.excludedLossPerFrequency()) {
            assertTrue(perFrequency > 100 * l.lossTrain(), "removing one key frequency hurts");
        }
        // Both frequencies carry the same amplitude by construction.
        assertEquals(l.keyAmplitudes()[0], l.keyAmplitudes()[1],
                Tolerances.FLOAT32_FEW_ULPS_REL * l.keyAmplitudes()[0]);
        // W_E uses exactly the two frequencies, in equal measure: Gini (N - 2) / N over N = 18 frequencies.
        double[] embed = new FourierBasis(P, order).frequencyNorms(r.weights().embedRowNorms());
        assertArrayEquals(KEYS, AnalysisResults.significantFrequencies(embed));
        assertEquals(16.0 / 18.0, r.weights().giniEmbed(), Tolerances.FLOAT32_REL);
        // Attention from '=' is one half to each of a and b, in every head.
        for (int h = 0; h < 4; h++) {
            assertEquals(0.5, r.meanAttention()[h * 3], 0.5 * Tolerances.FLOAT32_FEW_ULPS_REL);
            assertEquals(0.5, r.meanAttention()[h * 3 + 1], 0.5 * Tolerances.FLOAT32_FEW_ULPS_REL);
        }
        // Each neuron's degree-2 approximation keeps exactly the cos(w(a+b) - 2 theta) part that reaches the logits,
        // so replacing all of them gives the restricted logits (the class means are 0 here).
        assertEquals(l.restrictedLoss(), r.degree2Loss(), Tolerances.FLOAT32_ABS_FLOOR
                + Tolerances.LOSS_REL * l.restrictedLoss());
    }

    @Test
    void logitFourierNormsConcentrateOnTheKeyTerms() {
        RunConfig c = config(FourierOrder.COS_FIRST);
        FinalAnalysis.Result r = analyze(c, SyntheticFourierModel.build(c, KEYS, SCALE));
        FourierBasis basis = new FourierBasis(P, FourierOrder.COS_FIRST);
        float[] norms = r.logitFourierNorms();
        // The largest entries are the cos/sin x cos/sin products of the key frequencies.
        Integer[] order = new Integer[P * P];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Float.compare(norms[y], norms[x]));
        for (int i = 0; i < 8; i++) {
            int a = basis.frequencyOfRow(order[i] / P);
            int b = basis.frequencyOfRow(order[i] % P);
            assertTrue(a == b && (a == 5 || a == 17), "top term " + basis.label(order[i] / P) + " x "
                    + basis.label(order[i] % P));
        }
    }

    @Test
    void randomWeightsHaveNoCleanClusters() {
        RunConfig c = TestConfigs.with(config(FourierOrder.COS_FIRST), b -> b.seed = 7);
        FinalAnalysis.Result r = analyze(c, Initializer.initialParameters(c));
        assertTrue(r.clusters().clusteredFraction() <= RANDOM_CLUSTERED_MAX,
                "clustered " + r.clusters().clusteredFraction());
        assertTrue(r.clusters().keyFrequencies().length >= 8, "argmaxes spread over many frequencies: "
                + Arrays.toString(r.clusters().keyFrequencies()));
        assertTrue(r.weights().giniEmbed() < 0.3, "gini " + r.weights().giniEmbed());
    }
}
