package io.jgrok.analysis;

import io.jgrok.Tolerances;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compares two complete analyses of the same run output by output: what {@code jgrok analyze} would write with two
 * backends (CPU and device, or two thread counts). Discrete results (key frequencies, cluster membership, phase
 * boundaries, accuracies) must be identical; continuous ones must agree within float32 tolerances (losses
 * relatively, arrays relative to their scale). Use: {@code AnalysisAgreement.assertAgree(cpuResults, deviceResults)}.
 */
final class AnalysisAgreement {
    private AnalysisAgreement() {
    }

    static void assertAgree(AnalysisResults expected, AnalysisResults actual) {
        FinalAnalysis.Result e = expected.fin();
        FinalAnalysis.Result a = actual.fin();
        assertEquals(e.epoch(), a.epoch());
        assertArrayEquals(e.clusters().keyFrequencies(), a.clusters().keyFrequencies(), "key frequencies");
        assertArrayEquals(e.clusters().frequencies(), a.clusters().frequencies(), "neuron frequencies");
        assertArrayEquals(e.clusters().clusteredMask(), a.clusters().clusteredMask(), "clustered neurons");
        close(e.fracExplained(), a.fracExplained(), 1.0, "frac_explained");
        close(e.outputs().logits(), a.outputs().logits(), "logits");
        close(e.outputs().neurons(), a.outputs().neurons(), "neurons");
        close(e.outputs().attention(), a.outputs().attention(), "attention");
        close(e.embedFourier(), a.embedFourier(), "F W_E");
        close(e.neuronLogitFourier(), a.neuronLogitFourier(), "F W_L");
        close(e.logitFourierNorms(), a.logitFourierNorms(), "logit Fourier norms");
        close(e.meanAttention(), a.meanAttention(), 1.0, "mean attention");
        weights(e.weights(), a.weights());
        logits(e.logits(), a.logits());
        loss(e.degree2Loss(), a.degree2Loss(), "degree-2 loss");
        assertEquals(e.degree2Accuracy(), a.degree2Accuracy(), "degree-2 accuracy");
        assertEquals(expected.progress().size(), actual.progress().size());
        for (int i = 0; i < expected.progress().size(); i++) {
            ProgressMeasures.Row re = expected.progress().get(i);
            ProgressMeasures.Row ra = actual.progress().get(i);
            assertEquals(re.epoch(), ra.epoch());
            logits(re.logits(), ra.logits());
            weights(re.weights(), ra.weights());
        }
        assertEquals(expected.phases(), actual.phases(), "phase boundaries");
        assertEquals(expected.agop() == null, actual.agop() == null, "both or neither with AGOP measures");
        if (expected.agop() != null) {
            agop(expected.agop(), actual.agop());
        }
    }

    /**
     * The AGOP part: the final AGOP within float32 tolerance of its largest entry; the measures of sqrt(AGOP) within
     * {@link Tolerances#AGOP_MEASURE_ABS} (the square root turns rounding in G into larger changes on G's small
     * eigenvalues); the same heatmap checkpoints.
     */
    static void agop(AgopResults e, AgopResults a) {
        assertEquals(e.examples(), a.examples());
        assertEquals(e.referenceEpoch(), a.referenceEpoch());
        assertTrue(AgopBackendContract.relErr(a.finalG(), e.finalG()) < Tolerances.FLOAT32_REL, "final AGOP");
        assertArrayEquals(e.epochs(), a.epochs());
        assertArrayEquals(e.heatmapEpochs(), a.heatmapEpochs());
        for (int i = 0; i < e.measures().size(); i++) {
            double[] ve = e.values(i);
            double[] va = a.values(i);
            // The trace is linear in G: float32 tolerance; the others are measures of sqrt(G) in [0, 1].
            assertTrue(AnalysisBackendContract.relErr(va[0], ve[0]) < Tolerances.FLOAT32_REL, "AGOP trace");
            for (int k = 1; k < ve.length; k++) {
                assertEquals(ve[k], va[k], Tolerances.AGOP_MEASURE_ABS, AgopResults.COLUMNS.get(k) + " at epoch "
                        + e.epochs()[i]);
            }
        }
    }

    private static void logits(LogitMeasures e, LogitMeasures a) {
        AnalysisBackendContract.assertMeasuresClose(e, a, Tolerances.LOSS_REL);
    }

    private static void weights(WeightMeasures e, WeightMeasures a) {
        close(e.embedRowNorms(), a.embedRowNorms(), 1.0, "W_E Fourier norms");
        close(e.neuronLogitRowNorms(), a.neuronLogitRowNorms(), 1.0, "W_L Fourier norms");
        assertTrue(AnalysisBackendContract.relErr(a.giniEmbed(), e.giniEmbed()) < Tolerances.FLOAT32_REL);
        assertTrue(AnalysisBackendContract.relErr(a.giniNeuronLogit(), e.giniNeuronLogit()) < Tolerances.FLOAT32_REL);
        assertTrue(AnalysisBackendContract.relErr(a.sumOfSquares(), e.sumOfSquares()) < Tolerances.FLOAT32_REL);
    }

    private static void loss(double e, double a, String what) {
        assertTrue(AnalysisBackendContract.lossErr(a, e) < Tolerances.LOSS_REL, what + ": " + a + " vs " + e);
    }

    private static void close(float[] e, float[] a, String what) {
        assertEquals(e.length, a.length, what);
        assertTrue(Tolerances.relativeError(a, e, Tolerances.FLOAT32_ABS_FLOOR) < Tolerances.FLOAT32_REL, what);
    }

    private static void close(double[] e, double[] a, double floor, String what) {
        assertEquals(e.length, a.length, what);
        assertTrue(AnalysisBackendContract.relErr(a, e, floor) < Tolerances.FLOAT32_REL, what);
    }
}
