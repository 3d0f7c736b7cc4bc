package io.jgrok.optim;

import io.jgrok.Tolerances;
import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AdamW and the warmup schedule against steps computed by hand from PyTorch's documented update. */
class AdamWTest {
    private static final RunConfig PAPER = TestConfigs.paper(100);

    @Test
    void warmupStartsAtZeroAndReachesBaseAfterTenSteps() {
        assertEquals(0.0, PAPER.lrAtStep(1), 0.0);
        for (int k = 2; k <= 10; k++) {
            assertEquals(1e-4 * (k - 1), PAPER.lrAtStep(k), 1e-18, "step " + k);
        }
        assertEquals(1e-3, PAPER.lrAtStep(11), 0.0);
        assertEquals(1e-3, PAPER.lrAtStep(40_000), 0.0);
        RunConfig noWarmup = TestConfigs.with(PAPER, b -> b.warmupSteps = 0);
        assertEquals(1e-3, noWarmup.lrAtStep(1), 0.0);
    }

    @Test
    void threeStepsMatchHandComputation() {
        float[] p = {0.5f, -1.25f, 0f, 2f};
        float[] m = new float[4];
        float[] v = new float[4];
        float[][] grads = {{0.1f, -0.2f, 0f, 3f}, {0.05f, 0.4f, 0f, -1f}, {-0.3f, 0.1f, 0f, 0.5f}};
        double[] ep = {0.5, -1.25, 0, 2};
        double[] em = new double[4];
        double[] ev = new double[4];
        double wd = 1.0;
        double b1 = 0.9;
        double b2 = 0.98;
        double eps = 1e-8;
        for (int t = 1; t <= 3; t++) {
            AdamW.apply(AdamW.scalars(PAPER, t), p, grads[t - 1], m, v, 0, 4);
            double lr = t == 1 ? 0.0 : 1e-4 * (t - 1);
            for (int i = 0; i < 4; i++) {
                double g = grads[t - 1][i];
                ep[i] *= 1 - lr * wd;
                em[i] = b1 * em[i] + (1 - b1) * g;
                ev[i] = b2 * ev[i] + (1 - b2) * g * g;
                double mHat = em[i] / (1 - Math.pow(b1, t));
                double denom = Math.sqrt(ev[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                ep[i] -= lr * mHat / denom;
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(em[i], m[i], Tolerances.FLOAT32_ROUNDING_REL * Math.max(1, Math.abs(em[i])), "m step " + t);
                assertEquals(ev[i], v[i], Tolerances.FLOAT32_ROUNDING_REL * Math.max(1, Math.abs(ev[i])), "v step " + t);
                assertEquals(ep[i], p[i], Tolerances.FLOAT32_ROUNDING_REL * Math.max(1, Math.abs(ep[i])), "p step " + t);
            }
        }
        // The later steps moved every weight with a non-zero gradient by at least ~lr.
        assertTrue(Math.abs(p[0] - 0.5f) > 1e-4f && Math.abs(p[3] - 2f) > 1e-4f);
    }

    @Test
    void firstStepAtLrZeroChangesNothingButMoments() {
        float[] p = {1f, -2f};
        float[] m = new float[2];
        float[] v = new float[2];
        AdamW.apply(AdamW.scalars(PAPER, 1), p, new float[] {0.5f, 0.5f}, m, v, 0, 2);
        assertEquals(1f, p[0]);
        assertEquals(-2f, p[1]);
        assertEquals(0.05f, m[0], Tolerances.FLOAT32_ROUNDING_REL * 0.05f);
        assertEquals(0.005f, v[0], Tolerances.FLOAT32_ROUNDING_REL * 0.005f);
    }

    @Test
    void weightDecayAppliesToEveryParameterEvenWithZeroGradient() {
        float[] p = {3f};
        AdamW.apply(AdamW.scalars(PAPER, 20), p, new float[] {0f}, new float[1], new float[1], 0, 1);
        assertEquals(3f * (1 - 1e-3f), p[0], Tolerances.FLOAT32_ROUNDING_REL * 3f);
    }
}
