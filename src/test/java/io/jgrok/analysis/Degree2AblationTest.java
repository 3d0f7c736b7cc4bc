package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.FourierOrder;
import io.jgrok.config.RunConfig;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The degree-2 replacement of clustered neurons against a brute-force float64 least-squares reconstruction. */
class Degree2AblationTest {

    @ParameterizedTest
    @EnumSource(FourierOrder.class)
    void matchesTheReferenceOnRandomWeights(FourierOrder order) {
        RunConfig c = TestConfigs.with(TestConfigs.small(11, 16, 2, 12), b -> b.fourierOrder = order);
        ParamLayout layout = new ParamLayout(c);
        Random rnd = new Random(31);
        float[] params = AnalysisBackendContract.randomParams(layout, rnd);
        int m = layout.dMlp;
        int nk = 5;
        // Mark neurons 1, 4, 7, 10 as clustered at frequencies 1, 2, 3, 5 (a fake frac matrix).
        int[] chosen = {1, 4, 7, 10};
        int[] freqOf = new int[m];
        double[] frac = new double[m * nk];
        int[] freqs = {1, 2, 3, 5};
        for (int i = 0; i < chosen.length; i++) {
            freqOf[chosen[i]] = freqs[i];
            frac[chosen[i] * nk + freqs[i] - 1] = 0.9;
        }
        NeuronClusters clusters = new NeuronClusters(frac, m, nk);
        try (AnalysisBackend backend = new CpuAnalysisBackend(c, 2)) {
            ModelOutputs out = backend.outputs(params);
            double[] got = FinalAnalysis.degree2Ablation(backend, clusters, out.neurons(), m,
                    ModelWeights.neuronLogitMap(layout, params),
                    FinalAnalysis.numberLogits(out.logits(), 11, layout.nOutputs));
            double[] ref = Float64Reference.degree2Loss(layout, order, params, out.logits(), out.neurons(), chosen,
                    freqOf);
            assertTrue(Math.abs(got[0] - ref[0]) <= Tolerances.LOSS_REL * ref[0], got[0] + " vs " + ref[0]);
            assertEquals(ref[1], got[1], Tolerances.FLOAT64_ABS);
            // The replacement changes something (else the test would be vacuous).
            double plain = Float64Reference.degree2Loss(layout, order, params, out.logits(), out.neurons(),
                    new int[0], freqOf)[0];
            assertTrue(Math.abs(plain - ref[0]) > 10 * Tolerances.LOSS_REL * ref[0], plain + " vs " + ref[0]);
        }
    }
}
