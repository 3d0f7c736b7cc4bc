package io.jgrok.figures;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Curve preparation and the number formats on axes and in the report. */
class CurvesTest {
    @Test
    void unplottablePointsAreDropped() {
        Curves.Series s = Curves.finite(new double[] {0, 1, 2, 3, 4}, new double[] {1, Double.NaN, 0, -1, 2}, true);
        assertArrayEquals(new double[] {0, 4}, s.x());
        Curves.Series lin = Curves.finite(new double[] {0, 1, 2, 3}, new double[] {1, Double.NaN, 0, -1}, false);
        assertArrayEquals(new double[] {0, 2, 3}, lin.x());
    }

    @Test
    void thinningKeepsEndsSpikesAndOrder() {
        int n = 40_000;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = Math.exp(-i / 5000.0);
        }
        y[12_345] = 50;     // a loss spike
        y[30_001] = 1e-12;  // and a dip
        Curves.Series t = Curves.thin(new Curves.Series(x, y), 2500);
        assertTrue(t.size() <= 2500 + 1, "size " + t.size());
        assertEquals(0, t.x()[0]);
        assertEquals(n - 1, t.x()[t.size() - 1]);
        boolean spike = false;
        boolean dip = false;
        for (int i = 0; i < t.size(); i++) {
            spike |= t.x()[i] == 12_345 && t.y()[i] == 50;
            dip |= t.x()[i] == 30_001 && t.y()[i] == 1e-12;
            if (i > 0) {
                assertTrue(t.x()[i] > t.x()[i - 1], "x ascending");
            }
        }
        assertTrue(spike && dip);
        Curves.Series shortSeries = new Curves.Series(new double[] {1, 2}, new double[] {3, 4});
        assertEquals(shortSeries, Curves.thin(shortSeries, 2500));
    }

    @Test
    void formats() {
        assertEquals("0", Style.epochLabel(0, 40_000));
        assertEquals("10k", Style.epochLabel(10_000, 40_000));
        assertEquals("2.5k", Style.epochLabel(2_500, 40_000));
        assertEquals("500", Style.epochLabel(500, 1_000));
        assertEquals("2.41e-7", Style.number(2.41e-7));
        assertEquals("0.846", Style.number(0.8457));
        assertEquals("1", Style.number(1.0));
        assertEquals("0.3", Style.number(0.3));
        assertEquals("59.7", Style.number(59.66));
        assertEquals("1781", Style.number(1781.2));
        assertEquals("n/a", Style.number(Double.NaN));
    }
}
