package io.jgrok.analysis;

import io.jgrok.model.ParamLayout;

/**
 * The AGOP progress measures of one checkpoint (definitions in docs/agop.md), all computed in float64 from the AGOP
 * G (2p x 2p: a's p one-hot entries, then b's) and the checkpoint's weights.
 *
 * @param trace             tr G: the mean squared norm of the logits' input Jacobian (its scale)
 * @param nfmCorrelation    Pearson correlation of the entries of sqrt(G) and of the NFM analogue ({@link #nfm})
 * @param crossSum          circulant deviation of the a-b block of sqrt(G) along a + b (constant anti-diagonals;
 *                          Mallinar et al.'s row shift to the right)
 * @param crossDifference   circulant deviation of the a-b block along a - b (constant diagonals)
 * @param deviationAa       circulant deviation of the a-a block of sqrt(G) along a - a'
 * @param deviationBb       the same for the b-b block
 * @param alignment         uncentred cosine of sqrt(G) with the final checkpoint's sqrt(G)
 * @param keyShare          share of the a-b block's squared 2D Fourier norm on the key frequencies' rows and columns
 */
public record AgopMeasures(double trace, double nfmCorrelation, double crossSum, double crossDifference,
                           double deviationAa, double deviationBb, double alignment, double keyShare) {

    /** The direction along which a block is tested for constancy. */
    public enum Direction {
        /** Entries with equal (row + column) mod p: a Hankel matrix has deviation 0. */
        SUM,
        /** Entries with equal (column - row) mod p: a circulant matrix has deviation 0. */
        DIFFERENCE
    }

    /**
     * The measures of one checkpoint.
     *
     * @param sqrtG       sqrt(G), 2p x 2p
     * @param g           G itself (for the trace)
     * @param nfm         the NFM analogue, 2p x 2p
     * @param finalSqrtG  the final checkpoint's sqrt(G) (the alignment's reference)
     * @param keyRows     basis rows of the key frequencies (cos k and sin k for each key k)
     */
    public static AgopMeasures of(double[] g, double[] sqrtG, double[] nfm, double[] finalSqrtG, FourierBasis basis,
                                  int[] keyRows) {
        int p = basis.p();
        int n = 2 * p;
        double trace = 0;
        for (int i = 0; i < n; i++) {
            trace += g[i * n + i];
        }
        double[] cross = block(sqrtG, n, p, 0, p);
        return new AgopMeasures(trace, pearson(sqrtG, nfm),
                circulantDeviation(cross, p, Direction.SUM),
                circulantDeviation(cross, p, Direction.DIFFERENCE),
                circulantDeviation(block(sqrtG, n, 0, 0, p), p, Direction.DIFFERENCE),
                circulantDeviation(block(sqrtG, n, p, p, p), p, Direction.DIFFERENCE),
                cosine(sqrtG, finalSqrtG),
                keyShare(cross, basis, keyRows));
    }

    /**
     * The NFM analogue: the Gram matrix of the residual-stream vectors the 2p one-hot entries produce, entry (pos, t)
     * producing W_E[t] + W_pos[pos] (pos 0 for a, 1 for b); 2p x 2p.
     */
    public static double[] nfm(ParamLayout layout, float[] params) {
        int p = layout.p;
        int d = layout.dModel;
        int n = 2 * p;
        double[] r = new double[n * d];
        for (int pos = 0; pos < 2; pos++) {
            for (int t = 0; t < p; t++) {
                for (int j = 0; j < d; j++) {
                    r[(pos * p + t) * d + j] = (double) params[layout.wE + t * d + j]
                            + params[layout.wPos + pos * d + j];
                }
            }
        }
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k <= i; k++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += r[i * d + j] * r[k * d + j];
                }
                out[i * n + k] = s;
                out[k * n + i] = s;
            }
        }
        return out;
    }

    /** The p x p block of the n x n matrix m starting at (row0, col0). */
    public static double[] block(double[] m, int n, int row0, int col0, int p) {
        double[] out = new double[p * p];
        for (int i = 0; i < p; i++) {
            System.arraycopy(m, (row0 + i) * n + col0, out, i * p, p);
        }
        return out;
    }

    /**
     * Circulant deviation (Mallinar et al. 2024, section 3) of a p x p block A: group the entries into p wrapped
     * diagonals (SUM: (i + j) mod p, Mallinar's shift of row i by i to the right; DIFFERENCE: (j - i) mod p), take
     * each group's sum of squared deviations from its mean, and divide the total by ||A||_F^2. 0 exactly when A is
     * constant along each group; NaN for a zero block.
     */
    public static double circulantDeviation(double[] a, int p, Direction direction) {
        double[] sum = new double[p];
        double[] sumSq = new double[p];
        double total = 0;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                double v = a[i * p + j];
                int g = direction == Direction.SUM ? (i + j) % p : (j - i + p) % p;
                sum[g] += v;
                total += v * v;
            }
        }
        if (!(total > 0)) {
            return Double.NaN;
        }
        // Two passes for the variances (no cancellation between sum of squares and squared sum).
        double[] mean = new double[p];
        for (int g = 0; g < p; g++) {
            mean[g] = sum[g] / p;
        }
        double dev = 0;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                int g = direction == Direction.SUM ? (i + j) % p : (j - i + p) % p;
                double r = a[i * p + j] - mean[g];
                dev += r * r;
            }
        }
        return dev / total;
    }

    /** Pearson correlation of two equally long vectors (NaN when either is constant). */
    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Double.NaN;
    }

    /** Uncentred cosine similarity of two equally long vectors (NaN when either is zero). */
    public static double cosine(double[] x, double[] y) {
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += x[i] * y[i];
            sxx += x[i] * x[i];
            syy += y[i] * y[i];
        }
        return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Double.NaN;
    }

    /** The rows of the basis at the given frequencies (cos k and sin k of each), ascending. */
    public static int[] keyRows(FourierBasis basis, int[] keys) {
        java.util.TreeSet<Integer> rows = new java.util.TreeSet<>();
        for (int k : keys) {
            rows.add(basis.cosRow(k));
            if (basis.sinRow(k) >= 0) {
                rows.add(basis.sinRow(k));
            }
        }
        return rows.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * ||F_K A F_K^T||_F^2 / ||A||_F^2 for a p x p block A, F_K the basis rows {@code rows}: the share of A's 2D Fourier
     * norm (F A F^T, F orthonormal, so ||F A F^T|| = ||A||) on the key frequencies of both axes. NaN for a zero block.
     */
    public static double keyShare(double[] a, FourierBasis basis, int[] rows) {
        int p = basis.p();
        double total = 0;
        for (double v : a) {
            total += v * v;
        }
        if (!(total > 0)) {
            return Double.NaN;
        }
        int k = rows.length;
        // T = F_K A (k x p), then F_K A F_K^T (k x k).
        double[] t = new double[k * p];
        for (int r = 0; r < k; r++) {
            for (int i = 0; i < p; i++) {
                double f = basis.get(rows[r], i);
                if (f == 0) {
                    continue;
                }
                for (int j = 0; j < p; j++) {
                    t[r * p + j] += f * a[i * p + j];
                }
            }
        }
        double on = 0;
        for (int r = 0; r < k; r++) {
            for (int s = 0; s < k; s++) {
                double v = 0;
                for (int j = 0; j < p; j++) {
                    v += t[r * p + j] * basis.get(rows[s], j);
                }
                on += v * v;
            }
        }
        return on / total;
    }

    /** The 2D Fourier transform of each p x p block of a 2p x 2p matrix: blkdiag(F, F) m blkdiag(F, F)^T. */
    public static double[] blockFourier(double[] m, FourierBasis basis) {
        int p = basis.p();
        int n = 2 * p;
        double[] f = basis.matrix();
        double[] out = new double[n * n];
        double[] t = new double[p * p];
        for (int bi = 0; bi < 2; bi++) {
            for (int bj = 0; bj < 2; bj++) {
                java.util.Arrays.fill(t, 0);
                for (int r = 0; r < p; r++) {
                    for (int i = 0; i < p; i++) {
                        double fi = f[r * p + i];
                        int row = (bi * p + i) * n + bj * p;
                        for (int j = 0; j < p; j++) {
                            t[r * p + j] += fi * m[row + j];
                        }
                    }
                }
                for (int r = 0; r < p; r++) {
                    for (int s = 0; s < p; s++) {
                        double v = 0;
                        for (int j = 0; j < p; j++) {
                            v += t[r * p + j] * f[s * p + j];
                        }
                        out[(bi * p + r) * n + bj * p + s] = v;
                    }
                }
            }
        }
        return out;
    }
}
