package io.jgrok.analysis;

import io.jgrok.Tolerances;
import io.jgrok.config.FourierOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FourierBasisTest {

    @ParameterizedTest
    @CsvSource({"2,COS_FIRST", "5,COS_FIRST", "12,SIN_FIRST", "37,SIN_FIRST", "113,COS_FIRST", "113,SIN_FIRST"})
    void rowsAreOrthonormalAndMatchTheClosedForm(int p, FourierOrder order) {
        FourierBasis f = new FourierBasis(p, order);
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double dot = 0;
                for (int x = 0; x < p; x++) {
                    dot += f.get(i, x) * f.get(j, x);
                }
                assertEquals(i == j ? 1.0 : 0.0, dot, Tolerances.FLOAT64_REL, "rows " + i + ", " + j);
            }
            for (int x = 0; x < p; x++) {
                assertEquals(Float64Reference.basis(p, order, i, x), f.get(i, x), Tolerances.FLOAT64_REL);
            }
        }
    }

    @Test
    void labelsFollowTheRunsOrder() {
        FourierBasis cosFirst = new FourierBasis(7, FourierOrder.COS_FIRST);
        assertArrayEquals(new String[] {"const", "cos 1", "sin 1", "cos 2", "sin 2", "cos 3", "sin 3"},
                cosFirst.labels());
        FourierBasis sinFirst = new FourierBasis(7, FourierOrder.SIN_FIRST);
        assertArrayEquals(new String[] {"const", "sin 1", "cos 1", "sin 2", "cos 2", "sin 3", "cos 3"},
                sinFirst.labels());
        assertEquals(5, cosFirst.cosRow(3));
        assertEquals(6, sinFirst.cosRow(3));
        assertEquals(3, cosFirst.nFrequencies());
        // Even p: the Nyquist frequency has a cos row only, the last one.
        FourierBasis even = new FourierBasis(8, FourierOrder.SIN_FIRST);
        assertEquals(4, even.nFrequencies());
        assertEquals(7, even.cosRow(4));
        assertEquals(-1, even.sinRow(4));
        assertEquals("cos 4", even.label(7));
    }

    @ParameterizedTest
    @CsvSource({"13,COS_FIRST", "13,SIN_FIRST", "10,COS_FIRST", "113,COS_FIRST"})
    void dftRouteEqualsBasisRoute(int p, FourierOrder order) {
        FourierBasis basis = new FourierBasis(p, order);
        Random rnd = new Random(p);
        int m = 3;
        double[] x = new double[p * m];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        double[] viaDft = Dft.transform1d(basis, x, m);
        double[] viaBasis = RealTransforms.transform1d(basis, x, m, null);
        for (int i = 0; i < x.length; i++) {
            assertEquals(viaBasis[i], viaDft[i], Tolerances.FLOAT64_REL * 10);
        }
        // And the 2D transform, over the (a, b) grid of each channel.
        if (p < 20) {
            double[] grid = new double[p * p * m];
            for (int i = 0; i < grid.length; i++) {
                grid[i] = rnd.nextGaussian();
            }
            double[] a = Dft.transform2d(basis, grid, m);
            double[] b = RealTransforms.transform2d(basis, grid, m, null);
            for (int i = 0; i < grid.length; i++) {
                assertEquals(b[i], a[i], Tolerances.FLOAT64_REL * 10);
            }
        }
    }

    @Test
    void frequencyNormsCombineCosAndSinAndLeaveOutTheConstant() {
        FourierBasis basis = new FourierBasis(7, FourierOrder.SIN_FIRST);
        double[] rowNorms = new double[7];
        rowNorms[0] = 100;
        rowNorms[basis.cosRow(2)] = 3;
        rowNorms[basis.sinRow(2)] = 4;
        assertArrayEquals(new double[] {0, 5, 0}, basis.frequencyNorms(rowNorms), 1e-15);
    }

    @Test
    void aPureFrequencyTransformsToItsOwnRows() {
        int p = 17;
        FourierBasis basis = new FourierBasis(p, FourierOrder.COS_FIRST);
        double[] x = new double[p];
        for (int t = 0; t < p; t++) {
            x[t] = 2 * Math.cos(2 * Math.PI * 5 * t / p) - Math.sin(2 * Math.PI * 5 * t / p);
        }
        double[] y = RealTransforms.transform1d(basis, x, 1, null);
        double scale = Math.sqrt(p / 2.0);
        for (int r = 0; r < p; r++) {
            double expected = r == basis.cosRow(5) ? 2 * scale : r == basis.sinRow(5) ? -scale : 0;
            assertEquals(expected, y[r], Tolerances.FLOAT64_ABS, basis.label(r));
        }
        assertTrue(basis.isCosRow(basis.cosRow(5)));
    }
}
