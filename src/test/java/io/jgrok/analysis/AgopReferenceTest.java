package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The brute-force AGOP reference is itself right: its forward pass with one-hot inputs gives the engine's logits,
 * and its reverse-mode Jacobian matches central finite differences of that forward pass in the continuous inputs.
 */
class AgopReferenceTest {

    @Test
    void forwardPassWithOneHotInputsIsTheEnginesLogits() {
        RunConfig c = TestConfigs.small(11, 16, 4, 24);
        ParamLayout layout = new ParamLayout(c);
        float[] params = AnalysisBackendContract.randomParams(layout, new Random(5));
        AgopReference ref = new AgopReference(layout, params);
        int[] examples = {0, 5, 17, 60, 120};
        try (CpuEngine engine = new CpuEngine(TestConfigs.with(c, b -> b.threads = 1), Split.of(c))) {
            float[] logits = engine.logits(params, examples);
            for (int i = 0; i < examples.length; i++) {
                double[] got = ref.forward(AgopReference.oneHot(11, examples[i] / 11),
                        AgopReference.oneHot(11, examples[i] % 11)).logits;
                float[] engineRow = java.util.Arrays.copyOfRange(logits, i * c.nOutputs(), i * c.nOutputs() + 11);
                double err = Tolerances.relativeError(engineRow, got, Tolerances.FLOAT32_ABS_FLOOR);
                assertTrue(err < Tolerances.FLOAT32_REL, "example " + examples[i] + ": " + err);
            }
        }
    }

    @Test
    void jacobianMatchesFiniteDifferencesOfTheContinuousInputs() {
        for (RunConfig c : new RunConfig[] {TestConfigs.small(7, 8, 2, 12), TestConfigs.small(11, 16, 4, 24)}) {
            ParamLayout layout = new ParamLayout(c);
            int p = c.p();
            float[] params = AnalysisBackendContract.randomParams(layout, new Random(c.p()));
            AgopReference ref = new AgopReference(layout, params);
            double h = Tolerances.FINITE_DIFFERENCE_STEP;
            int checked = 0;
            for (int ex : new int[] {3, 2 * p + 5, p * p - 1}) {
                int a = ex / p;
                int b = ex % p;
                double[] jac = ref.jacobian(a, b);
                double scale = 0;
                for (double v : jac) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int pos = 0; pos < 2; pos++) {
                    for (int t = 0; t < p; t++) {
                        double[][] plus = {AgopReference.oneHot(p, a), AgopReference.oneHot(p, b)};
                        double[][] minus = {AgopReference.oneHot(p, a), AgopReference.oneHot(p, b)};
                        plus[pos][t] += h;
                        minus[pos][t] -= h;
                        AgopReference.Pass up = ref.forward(plus[0], plus[1]);
                        AgopReference.Pass down = ref.forward(minus[0], minus[1]);
                        if (crossesAKink(up.pre, down.pre)) {
                            continue; // a ReLU changes sign within the step: the difference quotient is not J
                        }
                        for (int c2 = 0; c2 < p; c2++) {
                            double fd = (up.logits[c2] - down.logits[c2]) / (2 * h);
                            double err = Math.abs(fd - jac[c2 * 2 * p + pos * p + t]) / scale;
                            assertTrue(err < Tolerances.FINITE_DIFFERENCE_REL, "p " + p + " example " + ex
                                    + " input (" + pos + ", " + t + ") logit " + c2 + ": " + err);
                            checked++;
                        }
                    }
                }
            }
            assertTrue(checked > 3 * 2 * p * p / 2, "most entries checked: " + checked);
        }
    }

    private static boolean crossesAKink(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if ((a[i] > 0) != (b[i] > 0)) {
                return true;
            }
        }
        return false;
    }
}
