package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.FourierOrder;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AGOP measures and the eigensolver behind sqrt(AGOP), on known answers and random matrices. */
class AgopMeasuresTest {

    static double[] randomSymmetric(int n, Random rnd) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = rnd.nextGaussian();
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
        return a;
    }

    /** B B^T for a random n x r B: PSD of rank min(n, r). */
    static double[] randomPsd(int n, int r, Random rnd) {
        double[] b = new double[n * r];
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextGaussian();
        }
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += b[i * r + k] * b[j * r + k];
                }
                a[i * n + j] = s;
            }
        }
        return a;
    }

    static double[] multiply(double[] a, double[] b, int n) {
        double[] c = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aik * b[k * n + j];
                }
            }
        }
        return c;
    }

    static double maxAbs(double[] x) {
        return AgopBackendContract.maxAbs(x);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 40, 226})
    void eigenpairsOfRandomSymmetricMatrices(int n) {
        Random rnd = new Random(n);
        double[] a = randomSymmetric(n, rnd);
        SymmetricEigen e = SymmetricEigen.of(a, n);
        double[] values = e.values();
        double scale = maxAbs(a) * n;
        for (int k = 0; k < n; k++) {
            double[] v = e.vector(k);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int j = 0; j < n; j++) {
                    av += a[i * n + j] * v[j];
                }
                assertEquals(values[k] * v[i], av, 1e-12 * scale, "A v = lambda v, pair " + k + " row " + i);
                norm += v[i] * v[i];
            }
            assertEquals(1.0, norm, 1e-12);
            for (int l = 0; l < k; l++) {
                double dot = 0;
                double[] u = e.vector(l);
                for (int i = 0; i < n; i++) {
                    dot += u[i] * v[i];
                }
                assertEquals(0.0, dot, 1e-12, "orthogonal " + k + ", " + l);
            }
        }
        // The trace and the Frobenius norm are sums of eigenvalues and of their squares.
        double trace = 0;
        double fro = 0;
        for (int i = 0; i < n; i++) {
            trace += a[i * n + i];
        }
        for (double x : a) {
            fro += x * x;
        }
        double sum = 0;
        double sumSq = 0;
        for (double v : values) {
            sum += v;
            sumSq += v * v;
        }
        assertEquals(trace, sum, 1e-12 * scale);
        assertEquals(fro, sumSq, 1e-12 * fro);
    }

    @Test
    void repeatedAndKnownEigenvalues() {
        int n = 6;
        double[] identity = new double[n * n];
        for (int i = 0; i < n; i++) {
            identity[i * n + i] = 3;
        }
        for (double v : SymmetricEigen.of(identity, n).values()) {
            assertEquals(3.0, v, 1e-15);
        }
        // J (all ones) has eigenvalues n (once) and 0 (n - 1 times).
        double[] ones = new double[n * n];
        java.util.Arrays.fill(ones, 1.0);
        double[] values = SymmetricEigen.of(ones, n).values();
        java.util.Arrays.sort(values);
        for (int i = 0; i < n - 1; i++) {
            assertEquals(0.0, values[i], 1e-14);
        }
        assertEquals(n, values[n - 1], 1e-13);
        // The path graph's Laplacian-like tridiagonal [2, -1]: eigenvalues 2 - 2 cos(k pi / (n + 1)).
        double[] tri = new double[n * n];
        for (int i = 0; i < n; i++) {
            tri[i * n + i] = 2;
            if (i + 1 < n) {
                tri[i * n + i + 1] = -1;
                tri[(i + 1) * n + i] = -1;
            }
        }
        double[] got = SymmetricEigen.of(tri, n).values();
        java.util.Arrays.sort(got);
        for (int k = 1; k <= n; k++) {
            assertEquals(2 - 2 * Math.cos(k * Math.PI / (n + 1)), got[k - 1], 1e-14);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 26, 120})
    void psdSquareRootSquaresBackIncludingRankDeficientMatrices(int n) {
        Random rnd = new Random(100 + n);
        for (int rank : new int[] {n, n / 2, 1}) {
            double[] a = randomPsd(n, rank, rnd);
            double[] s = SymmetricEigen.psdSquareRoot(a, n);
            double[] back = multiply(s, s, n);
            double err = 0;
            for (int i = 0; i < a.length; i++) {
                err = Math.max(err, Math.abs(back[i] - a[i]));
            }
            // Clamped zero eigenvalues come back as ~sqrt(eps |A|) in S, hence the looser bound for deficient rank.
            assertTrue(err < 1e-7 * maxAbs(a), "n " + n + " rank " + rank + ": " + err);
            for (double v : SymmetricEigen.of(s, n).values()) {
                assertTrue(v > -1e-7 * Math.sqrt(maxAbs(a)), "sqrt is PSD: " + v);
            }
        }
        // A diagonal matrix: the square root of each entry, negatives (rounding noise) clamped to zero.
        double[] diag = new double[9];
        diag[0] = 4;
        diag[4] = 9;
        diag[8] = -1e-18;
        double[] s = SymmetricEigen.psdSquareRoot(diag, 3);
        assertEquals(2.0, s[0], 1e-15);
        assertEquals(3.0, s[4], 1e-15);
        assertEquals(0.0, s[8], 0.0);
    }

    @Test
    void circulantDeviationKnownAnswers() {
        int p = 11;
        Random rnd = new Random(4);
        double[] f = new double[p];
        for (int i = 0; i < p; i++) {
            f[i] = rnd.nextGaussian();
        }
        double[] circulant = new double[p * p];
        double[] hankel = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                circulant[i * p + j] = f[(j - i + p) % p];
                hankel[i * p + j] = f[(i + j) % p];
            }
        }
        assertEquals(0.0, AgopMeasures.circulantDeviation(circulant, p, AgopMeasures.Direction.DIFFERENCE), 1e-15);
        assertEquals(0.0, AgopMeasures.circulantDeviation(hankel, p, AgopMeasures.Direction.SUM), 1e-15);
        // The other direction: each group holds every value of f once, so the deviation is
        // 1 - (sum f)^2 / (p sum f^2).
        double s = 0;
        double s2 = 0;
        for (double v : f) {
            s += v;
            s2 += v * v;
        }
        double expected = 1 - s * s / (p * s2);
        assertEquals(expected, AgopMeasures.circulantDeviation(circulant, p, AgopMeasures.Direction.SUM), 1e-14);
        assertEquals(expected, AgopMeasures.circulantDeviation(hankel, p, AgopMeasures.Direction.DIFFERENCE), 1e-14);
        // The identity (Mallinar et al.'s shift to the right): one 1 per anti-diagonal, deviation (p - 1) / p.
        double[] identity = new double[p * p];
        for (int i = 0; i < p; i++) {
            identity[i * p + i] = 1;
        }
        assertEquals((p - 1.0) / p, AgopMeasures.circulantDeviation(identity, p, AgopMeasures.Direction.SUM), 1e-14);
        assertEquals(0.0, AgopMeasures.circulantDeviation(identity, p, AgopMeasures.Direction.DIFFERENCE), 1e-15);
        // Transposing a block changes neither direction; scaling changes nothing; a zero block has none.
        double[] r = randomSymmetric(p, rnd);
        for (int i = 0; i < p; i++) {
            r[i * p + (i + 3) % p] += 2;
        }
        double[] t = new double[p * p];
        double[] scaled = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                t[j * p + i] = r[i * p + j];
                scaled[i * p + j] = -7 * r[i * p + j];
            }
        }
        for (AgopMeasures.Direction d : AgopMeasures.Direction.values()) {
            double dev = AgopMeasures.circulantDeviation(r, p, d);
            assertEquals(dev, AgopMeasures.circulantDeviation(t, p, d), 1e-14);
            assertEquals(dev, AgopMeasures.circulantDeviation(scaled, p, d), 1e-14);
            assertTrue(dev > 0 && dev < 1);
        }
        assertTrue(Double.isNaN(AgopMeasures.circulantDeviation(new double[p * p], p,
                AgopMeasures.Direction.SUM)));
    }

    @Test
    void correlationsAndAlignment() {
        double[] x = {1, 2, 3, 4, 5};
        double[] y = {5, 7, 9, 11, 13};
        assertEquals(1.0, AgopMeasures.pearson(x, y), 1e-15);
        assertEquals(-1.0, AgopMeasures.pearson(x, new double[] {-1, -2, -3, -4, -5}), 1e-15);
        assertEquals(0.0, AgopMeasures.pearson(new double[] {1, -1, 1, -1}, new double[] {1, 1, -1, -1}), 1e-15);
        assertTrue(Double.isNaN(AgopMeasures.pearson(x, new double[] {2, 2, 2, 2, 2})));
        // Uncentred: a constant offset changes the cosine but not the correlation.
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < 5; i++) {
            dot += x[i] * y[i];
            nx += x[i] * x[i];
            ny += y[i] * y[i];
        }
        assertEquals(dot / Math.sqrt(nx * ny), AgopMeasures.cosine(x, y), 1e-15);
        assertEquals(1.0, AgopMeasures.cosine(x, new double[] {3, 6, 9, 12, 15}), 1e-15);
    }

    @ParameterizedTest
    @ValueSource(ints = {13, 12})
    void keyShareAndBlockFourierTransform(int p) {
        for (FourierOrder order : FourierOrder.values()) {
            FourierBasis basis = new FourierBasis(p, order);
            // cos(3 (t - t')) = cos 3t cos 3t' + sin 3t sin 3t': only frequency 3's rows and columns.
            double[] block = new double[p * p];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    block[i * p + j] = Math.cos(2 * Math.PI * 3 * (i - j) / p);
                }
            }
            assertEquals(1.0, AgopMeasures.keyShare(block, basis, AgopMeasures.keyRows(basis, new int[] {3})),
                    1e-12);
            assertEquals(1.0, AgopMeasures.keyShare(block, basis, AgopMeasures.keyRows(basis, new int[] {1, 3})),
                    1e-12);
            assertEquals(0.0, AgopMeasures.keyShare(block, basis, AgopMeasures.keyRows(basis, new int[] {2, 4})),
                    1e-12);
            // The block transform is orthonormal (norm kept) and puts this block on the (cos 3, cos 3) and
            // (sin 3, sin 3) entries, each p/2.
            double[] m = new double[4 * p * p];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    m[(p + i) * 2 * p + j] = block[i * p + j];
                }
            }
            double[] f = AgopMeasures.blockFourier(m, basis);
            double before = 0;
            double after = 0;
            for (int i = 0; i < m.length; i++) {
                before += m[i] * m[i];
                after += f[i] * f[i];
            }
            assertEquals(before, after, 1e-10 * before);
            int c3 = basis.cosRow(3);
            assertEquals(p / 2.0, f[(p + c3) * 2 * p + c3], 1e-10);
            if (basis.sinRow(3) >= 0) {
                int s3 = basis.sinRow(3);
                assertEquals(p / 2.0, f[(p + s3) * 2 * p + s3], 1e-10);
            }
        }
    }

    @Test
    void nfmIsTheGramMatrixOfEmbeddingPlusPosition() {
        ParamLayout layout = new ParamLayout(TestConfigs.small(7, 8, 2, 12));
        float[] w = AnalysisBackendContract.randomParams(layout, new Random(9));
        double[] nfm = AgopMeasures.nfm(layout, w);
        int p = 7;
        for (int i = 0; i < 2 * p; i++) {
            for (int k = 0; k < 2 * p; k++) {
                double s = 0;
                for (int j = 0; j < 8; j++) {
                    double ri = w[layout.wE + (i % p) * 8 + j] + (double) w[layout.wPos + (i / p) * 8 + j];
                    double rk = w[layout.wE + (k % p) * 8 + j] + (double) w[layout.wPos + (k / p) * 8 + j];
                    s += ri * rk;
                }
                assertEquals(s, nfm[i * 2 * p + k], Tolerances.FLOAT64_REL * Math.max(1, Math.abs(s)));
            }
        }
    }
}
