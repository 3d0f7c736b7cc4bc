package io.jgrok.optim;

import io.jgrok.Tolerances;
import io.jgrok.TestConfigs;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Grokfast filters against sequences computed by hand from the definitions (Lee et al. 2024). */
class GrokfastTest {

    @Test
    void emaStartsAtFirstGradientAndAmplifiesTheSlowPart() {
        RunConfig c = TestConfigs.with(TestConfigs.paper(10), b -> {
            b.grokfast = GrokfastMode.EMA;
            b.grokfastAlpha = 0.5;
            b.grokfastLambda = 2.0;
        });
        Grokfast f = Grokfast.restore(c, new float[0][], 1);
        float[] g = {4f};
        f.filter(g);
        // mu = g = 4, then mu = 0.5*4 + 0.5*4 = 4; g' = 4 + 2*4
        assertEquals(12f, g[0]);
        g[0] = 0f;
        f.filter(g);
        // mu = 0.5*4 + 0.5*0 = 2; g' = 0 + 2*2
        assertEquals(4f, g[0]);
        g[0] = 2f;
        f.filter(g);
        // mu = 0.5*2 + 0.5*2 = 2; g' = 2 + 4
        assertEquals(6f, g[0]);
        assertArrayEquals(new float[] {2f}, f.snapshot()[0]);
    }

    @Test
    void movingAverageWaitsForAFullWindow() {
        RunConfig c = TestConfigs.with(TestConfigs.paper(10), b -> {
            b.grokfast = GrokfastMode.MA;
            b.grokfastWindow = 3;
            b.grokfastLambda = 1.0;
        });
        Grokfast f = Grokfast.restore(c, new float[0][], 1);
        float[] seq = {3f, 6f, 9f, 12f};
        float[] expected = {3f, 6f, 9f + 6f, 12f + 9f};
        for (int i = 0; i < seq.length; i++) {
            float[] g = {seq[i]};
            f.filter(g);
            assertEquals(expected[i], g[0], Tolerances.FLOAT32_FEW_ULPS_REL * Math.abs(expected[i]), "step " + i);
        }
        // The state is the last three raw gradients, oldest first, and restores to the same behaviour.
        float[][] state = f.snapshot();
        assertEquals(3, state.length);
        assertEquals(6f, state[0][0]);
        Grokfast restored = Grokfast.restore(c, state, 1);
        float[] g = {0f};
        restored.filter(g);
        assertEquals(7f, g[0], Tolerances.FLOAT32_FEW_ULPS_REL * 7f);
    }
}
