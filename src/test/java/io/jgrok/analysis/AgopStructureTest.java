package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known structure: the AGOP of the hand-built Fourier-algorithm model ({@link SyntheticFourierModel}) and of random
 * weights. docs/agop.md ("The hand-built model") derives what the synthetic model's AGOP must be:
 * <ul>
 *   <li>both positions see the same attention weight and the same values, so the four p x p blocks are equal, and
 *       sqrt(AGOP) = [[1, 1], [1, 1]] / sqrt 2 (x) sqrt(X);</li>
 *   <li>each example contributes C(t - t') + H(t + t') per key frequency: over any set of pairs the AGOP's 2D
 *       Fourier mass lies on the key frequencies only;</li>
 *   <li>averaged over all p^2 pairs the H parts cancel exactly when the neurons' phases are spaced pi/p apart
 *       (d_mlp = 2p per frequency), so every block is circulant in t - t' (deviation 0 along the difference, 1
 *       along the sum), and since both frequencies are built alike, sqrt(AGOP) is proportional to the NFM up to a
 *       constant: Pearson correlation 1.</li>
 * </ul>
 * Random weights have none of this.
 */
class AgopStructureTest {
    static final int P = 13;
    static final int[] KEYS = {2, 5};
    /** Rounding floor of the structural zeros: float32 weights and per-example products, float64 sums. */
    static final double STRUCTURAL_ZERO = 1e-9;

    static RunConfig config() {
        // d_mlp = 2p per frequency: phases pi/p apart. d_head 4 holds the two frequencies' cos/sin.
        return TestConfigs.with(TestConfigs.small(P, 16, 4, 2 * P * KEYS.length), b -> b.threads = 2);
    }

    static int[] allPairs() {
        return java.util.stream.IntStream.range(0, P * P).toArray();
    }

    static double[] agop(RunConfig c, float[] w, int[] examples) {
        try (AnalysisBackend backend = new CpuAnalysisBackend(c, 2)) {
            return backend.agop(new float[][] {w}, examples)[0];
        }
    }

    static AgopMeasures measures(RunConfig c, float[] w, double[] g) {
        FourierBasis basis = new FourierBasis(P, c.fourierOrder());
        double[] sqrt = SymmetricEigen.psdSquareRoot(g, 2 * P);
        return AgopMeasures.of(g, sqrt, AgopMeasures.nfm(new ParamLayout(c), w), sqrt, basis,
                AgopMeasures.keyRows(basis, KEYS));
    }

    @Test
    void overAllPairsTheHandBuiltModelsAgopIsBlockCirculantInTheDifference() {
        RunConfig c = config();
        float[] w = SyntheticFourierModel.build(c, KEYS, 10);
        double[] g = agop(c, w, allPairs());
        AgopMeasures m = measures(c, w, g);
        assertTrue(m.crossDifference() < STRUCTURAL_ZERO, "a-b block along a - b: " + m.crossDifference());
        assertTrue(m.deviationAa() < STRUCTURAL_ZERO, "a-a block: " + m.deviationAa());
        assertTrue(m.deviationBb() < STRUCTURAL_ZERO, "b-b block: " + m.deviationBb());
        // No constant component, so each wrapped anti-diagonal holds every value of the circulant once.
        assertEquals(1.0, m.crossSum(), STRUCTURAL_ZERO, "a-b block along a + b");
        assertEquals(1.0, m.keyShare(), STRUCTURAL_ZERO, "all of the a-b block on the key frequencies");
        assertEquals(1.0, m.nfmCorrelation(), STRUCTURAL_ZERO, "sqrt(AGOP) and the NFM differ by a constant");
        assertEquals(1.0, m.alignment(), STRUCTURAL_ZERO);
    }

    @Test
    void withPhasesNotPiOverPApartTheCancellationIsOnlyApproximate() {
        // 32 phases per frequency (2 pi / 32 apart, not a multiple of pi/13): rotating a pair's active half-circle
        // by pi/p no longer maps neurons onto neurons, so the Hankel parts leave a small residue (derivation's
        // precondition matters; measured 6e-6).
        RunConfig c = TestConfigs.with(TestConfigs.small(P, 16, 4, 64), b -> b.threads = 2);
        float[] w = SyntheticFourierModel.build(c, KEYS, 10);
        AgopMeasures m = measures(c, w, agop(c, w, allPairs()));
        assertTrue(m.crossDifference() > 1e3 * STRUCTURAL_ZERO && m.crossDifference() < 1e-3,
                "small but not zero: " + m.crossDifference());
        assertEquals(1.0, m.keyShare(), STRUCTURAL_ZERO, "still only the key frequencies");
    }

    @Test
    void theFourBlocksAreEqualForAnySetOfPairs() {
        RunConfig c = config();
        float[] w = SyntheticFourierModel.build(c, KEYS, 10);
        double[] g = agop(c, w, Split.of(c).train());
        double scale = AgopBackendContract.maxAbs(g);
        int n = 2 * P;
        for (int i = 0; i < P; i++) {
            for (int j = 0; j < P; j++) {
                double aa = g[i * n + j];
                assertEquals(aa, g[(P + i) * n + P + j], STRUCTURAL_ZERO * scale, "b-b (" + i + ", " + j + ")");
                assertEquals(aa, g[(P + i) * n + j], STRUCTURAL_ZERO * scale, "b-a (" + i + ", " + j + ")");
                assertEquals(aa, g[i * n + P + j], STRUCTURAL_ZERO * scale, "a-b (" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void overTheTrainingPairsOnlyTheKeyFrequenciesCarryTheAgop() {
        // Circulant + Hankel parts per key frequency: the 2D Fourier mass stays on the key frequencies, but the
        // Hankel parts no longer cancel, so the a-b block is not circulant in a - b any more.
        RunConfig c = config();
        float[] w = SyntheticFourierModel.build(c, KEYS, 10);
        AgopMeasures m = measures(c, w, agop(c, w, Split.of(c).train()));
        assertEquals(1.0, m.keyShare(), STRUCTURAL_ZERO);
        assertTrue(m.crossDifference() > 1e-4, "the training subset breaks the a - b symmetry: "
                + m.crossDifference());
    }

    @Test
    void randomWeightsHaveNoSuchStructure() {
        RunConfig c = TestConfigs.with(config(), b -> b.seed = 3);
        float[] w = Initializer.initialParameters(c);
        AgopMeasures m = measures(c, w, agop(c, w, Split.of(c).train()));
        assertTrue(m.crossDifference() > 0.3 && m.crossSum() > 0.3, "deviations " + m.crossDifference() + " "
                + m.crossSum());
        assertTrue(m.deviationAa() > 0.2 && m.deviationBb() > 0.2, m.deviationAa() + " " + m.deviationBb());
        // 4 of the 13 basis rows per axis: about (4/13)^2 ~ 0.1 of an unstructured block's mass.
        assertTrue(m.keyShare() < 0.4, "key share " + m.keyShare());
    }
}
