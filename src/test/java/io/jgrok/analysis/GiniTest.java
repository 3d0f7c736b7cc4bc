package io.jgrok.analysis;

import io.jgrok.Tolerances;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GiniTest {

    @Test
    void uniformIsZeroAndOneHotIsNMinusOneOverN() {
        assertEquals(0.0, Gini.of(new double[] {2, 2, 2, 2, 2}), 1e-15);
        assertEquals(0.0, Gini.of(new double[] {0, 0, 0}), 0.0);
        assertEquals(55.0 / 56.0, Gini.of(oneHot(56, 17)), 1e-15);
        assertEquals(0.0, Gini.of(new double[] {7}), 0.0);
    }

    @Test
    void matchesTheMeanAbsoluteDifferenceFormOnRandomVectors() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 20; trial++) {
            double[] c = new double[1 + rnd.nextInt(60)];
            for (int i = 0; i < c.length; i++) {
                c[i] = rnd.nextDouble() < 0.3 ? 0 : Math.abs(rnd.nextGaussian());
            }
            assertEquals(Float64Reference.gini(c), Gini.of(c), Tolerances.FLOAT64_REL);
        }
    }

    @Test
    void isScaleAndPermutationInvariantAndRisesWithConcentration() {
        double[] c = {1, 5, 0.5, 3, 0};
        double[] scaled = {7, 35, 3.5, 21, 0};
        double[] permuted = {3, 0, 5, 1, 0.5};
        assertEquals(Gini.of(c), Gini.of(scaled), 1e-15);
        assertEquals(Gini.of(c), Gini.of(permuted), 1e-15);
        double[] spread = {1, 1, 1, 1, 2};
        double[] focused = {0.1, 0.1, 0.1, 0.1, 5};
        assertEquals(true, Gini.of(focused) > Gini.of(spread));
    }

    @Test
    void rejectsNegativeOrNonFiniteValues() {
        assertThrows(IllegalArgumentException.class, () -> Gini.of(new double[] {1, -1}));
        assertThrows(IllegalArgumentException.class, () -> Gini.of(new double[] {1, Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> Gini.of(new double[0]));
    }

    private static double[] oneHot(int n, int at) {
        double[] c = new double[n];
        c[at] = 3.5;
        return c;
    }
}
