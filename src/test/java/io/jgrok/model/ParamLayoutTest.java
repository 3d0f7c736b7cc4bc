package io.jgrok.model;

import io.jgrok.TestConfigs;
import io.jgrok.config.InitScheme;
import io.jgrok.config.RunConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamLayoutTest {

    @Test
    void paperModelHas226816ParametersWithTransformerLensShapes() {
        ParamLayout l = new ParamLayout(TestConfigs.paper(1));
        assertEquals(226_816, l.parameterCount());
        assertArrayEquals(new int[] {114, 128}, l.tensor(ParamLayout.W_E).shape());
        assertArrayEquals(new int[] {3, 128}, l.tensor(ParamLayout.W_POS).shape());
        assertArrayEquals(new int[] {4, 128, 32}, l.tensor(ParamLayout.W_Q).shape());
        assertArrayEquals(new int[] {4, 32, 128}, l.tensor(ParamLayout.W_O).shape());
        assertArrayEquals(new int[] {128, 512}, l.tensor(ParamLayout.W_IN).shape());
        assertArrayEquals(new int[] {512}, l.tensor(ParamLayout.B_IN).shape());
        assertArrayEquals(new int[] {512, 128}, l.tensor(ParamLayout.W_OUT).shape());
        assertArrayEquals(new int[] {128, 114}, l.tensor(ParamLayout.W_U).shape());
        assertEquals(11, l.tensors().size());
    }

    @Test
    void tensorsAreAlignedAndDisjoint() {
        ParamLayout l = new ParamLayout(TestConfigs.small(7, 6, 2, 10));
        int end = 0;
        for (ParamLayout.Tensor t : l.tensors()) {
            assertEquals(0, t.offset() % ParamLayout.ALIGN, t.name());
            assertTrue(t.offset() >= end, t.name());
            end = t.end();
        }
        assertTrue(l.size() >= end);
    }

    @Test
    void paperInitHasTheDocumentedScales() {
        RunConfig c = TestConfigs.paper(1);
        ParamLayout l = new ParamLayout(c);
        float[] w = Initializer.initialParameters(c);
        // Expected initial sum of squares: every matrix has variance 1/128 except W_U (1/114), biases zero.
        double expected = 0;
        for (ParamLayout.Tensor t : l.tensors()) {
            expected += t.size() * Math.pow(Initializer.stdOf(t.name(), c), 2);
        }
        assertEquals(1781, expected, 1.0);
        assertEquals(expected, l.sumOfSquares(w), 0.01 * expected);
        for (ParamLayout.Tensor t : l.tensors()) {
            double ss = 0;
            for (int i = t.offset(); i < t.end(); i++) {
                ss += (double) w[i] * w[i];
            }
            double std = Math.sqrt(ss / t.size());
            double want = Initializer.stdOf(t.name(), c);
            if (want == 0) {
                assertEquals(0.0, std, t.name());
            } else {
                // Relative sampling error of a std estimate from n samples is ~1/sqrt(2n); allow 5 of those.
                assertEquals(want, std, want * 5 / Math.sqrt(2.0 * t.size()), t.name());
            }
        }
    }

    @Test
    void initIsSeededAndTlDemoUsesItsOwnScale() {
        RunConfig c = TestConfigs.paper(1);
        assertArrayEquals(Initializer.initialParameters(c), Initializer.initialParameters(c));
        float[] other = Initializer.initialParameters(TestConfigs.with(c, b -> b.seed = 1));
        assertTrue(other[0] != Initializer.initialParameters(c)[0]);
        RunConfig tl = TestConfigs.with(c, b -> b.init = InitScheme.TL_DEMO);
        assertEquals(0.8 / Math.sqrt(128), Initializer.stdOf(ParamLayout.W_U, tl), 1e-15);
        assertEquals(1 / Math.sqrt(114), Initializer.stdOf(ParamLayout.W_U, c), 1e-15);
    }
}
