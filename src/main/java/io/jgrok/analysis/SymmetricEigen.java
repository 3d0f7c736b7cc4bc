package io.jgrok.analysis;

/**
 * Eigendecomposition of a real symmetric matrix in float64, A = V diag(lambda) V^T, for the PSD square root of the
 * AGOP ({@link #psdSquareRoot}). Two classical stages (Golub and Van Loan, Matrix Computations, sections 8.3.1 and
 * 8.3.3):
 * <ol>
 *   <li>Householder tridiagonalisation, A = Q T Q^T: for each column k a reflector H = I - beta v v^T zeroes the
 *       entries below the subdiagonal; the trailing block gets the symmetric rank-2 update A - v w^T - w v^T, and
 *       Q^T is accumulated row by row.</li>
 *   <li>Implicit symmetric QR steps with the Wilkinson shift on the tridiagonal T: a Givens rotation in the plane
 *       (k, k+1) chases the bulge down the unreduced block, and the same rotations are applied to the rows of Q^T,
 *       so that at the end its rows are the eigenvectors. An off-diagonal entry is set to zero once it is below
 *       eps (|d_i| + |d_i+1|).</li>
 * </ol>
 * Q^T is kept with eigenvectors as rows so that every rotation touches two contiguous rows. Cost ~9 n^3 flops:
 * about 0.1 GFLOP at n = 226 (the paper's 2p).
 */
public final class SymmetricEigen {
    /** Sweeps of the QR stage allowed per eigenvalue before giving up (convergence is cubic; 2-3 are typical). */
    private static final int MAX_ITERATIONS_PER_VALUE = 30;

    private final int n;
    private final double[] values;
    private final double[] vectors;

    private SymmetricEigen(int n, double[] values, double[] vectors) {
        this.n = n;
        this.values = values;
        this.vectors = vectors;
    }

    /** Decomposes the symmetric n x n matrix a (row-major; only its lower triangle is read). */
    public static SymmetricEigen of(double[] a, int n) {
        if (a.length != n * n) {
            throw new IllegalArgumentException("expected " + n + " x " + n + " values, got " + a.length);
        }
        double[] t = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                t[i * n + j] = a[i * n + j];
                t[j * n + i] = a[i * n + j];
            }
        }
        double[] qt = identity(n);
        double[] diag = new double[n];
        double[] off = new double[Math.max(n - 1, 0)];
        tridiagonalise(t, n, qt, diag, off);
        implicitQr(diag, off, qt, n);
        return new SymmetricEigen(n, diag, qt);
    }

    public int size() {
        return n;
    }

    /** The eigenvalues, in no particular order (eigenvalue i belongs to {@link #vector(int)} i). */
    public double[] values() {
        return values.clone();
    }

    /** Eigenvector i (unit length). */
    public double[] vector(int i) {
        double[] v = new double[n];
        System.arraycopy(vectors, i * n, v, 0, n);
        return v;
    }

    /** V f(lambda) V^T, row-major. */
    public double[] apply(java.util.function.DoubleUnaryOperator f) {
        double[] out = new double[n * n];
        double[] scaled = new double[n];
        for (int k = 0; k < n; k++) {
            double fk = f.applyAsDouble(values[k]);
            if (fk == 0) {
                continue;
            }
            int row = k * n;
            for (int i = 0; i < n; i++) {
                scaled[i] = fk * vectors[row + i];
            }
            for (int i = 0; i < n; i++) {
                double s = scaled[i];
                if (s == 0) {
                    continue;
                }
                int o = i * n;
                for (int j = 0; j <= i; j++) {
                    out[o + j] += s * vectors[row + j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                out[j * n + i] = out[i * n + j];
            }
        }
        return out;
    }

    /**
     * The PSD square root of a symmetric matrix that is PSD up to rounding: V sqrt(max(lambda, 0)) V^T. Negative
     * eigenvalues (rounding of a sum of outer products, at most ~1e-16 of the largest) are clamped to zero.
     */
    public static double[] psdSquareRoot(double[] a, int n) {
        return of(a, n).apply(x -> x > 0 ? Math.sqrt(x) : 0.0);
    }

    private static double[] identity(int n) {
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            m[i * n + i] = 1;
        }
        return m;
    }

    /**
     * Reduces the full symmetric matrix t (overwritten) to tridiagonal form; on return diag/off hold T and qt holds
     * Q^T (its rows are Q's columns), A = Q T Q^T.
     */
    private static void tridiagonalise(double[] t, int n, double[] qt, double[] diag, double[] off) {
        double[] v = new double[n];
        double[] w = new double[n];
        double[] vq = new double[n];
        for (int k = 0; k < n - 2; k++) {
            // x = t[k+1..n-1][k]; reflector v with H x = -sign(x0) |x| e1.
            double tail2 = 0;
            for (int i = k + 2; i < n; i++) {
                tail2 += t[i * n + k] * t[i * n + k];
            }
            double x0 = t[(k + 1) * n + k];
            double norm2 = tail2 + x0 * x0;
            if (tail2 == 0) {
                continue; // already zero below the subdiagonal: H = I
            }
            double alpha = -Math.copySign(Math.sqrt(norm2), x0);
            for (int i = k + 1; i < n; i++) {
                v[i] = t[i * n + k];
            }
            v[k + 1] -= alpha;
            double vv = tail2 + v[k + 1] * v[k + 1];
            double beta = 2 / vv;
            // Column/row k: becomes alpha at (k+1, k) and zero below.
            t[(k + 1) * n + k] = alpha;
            t[k * n + k + 1] = alpha;
            for (int i = k + 2; i < n; i++) {
                t[i * n + k] = 0;
                t[k * n + i] = 0;
            }
            // Trailing block B = t[k+1.., k+1..]: B <- H B H = B - v w^T - w v^T with
            // p = beta B v, w = p - (beta/2)(v^T p) v.
            double vp = 0;
            for (int i = k + 1; i < n; i++) {
                double s = 0;
                int row = i * n;
                for (int j = k + 1; j < n; j++) {
                    s += t[row + j] * v[j];
                }
                w[i] = beta * s;
                vp += v[i] * w[i];
            }
            double half = 0.5 * beta * vp;
            for (int i = k + 1; i < n; i++) {
                w[i] -= half * v[i];
            }
            for (int i = k + 1; i < n; i++) {
                int row = i * n;
                double vi = v[i];
                double wi = w[i];
                for (int j = k + 1; j < n; j++) {
                    t[row + j] -= vi * w[j] + wi * v[j];
                }
            }
            // Q <- Q H, i.e. Q^T <- H Q^T: rows k+1.. of Q^T minus beta v (v^T Q^T).
            java.util.Arrays.fill(vq, 0);
            for (int i = k + 1; i < n; i++) {
                double vi = v[i];
                int row = i * n;
                for (int j = 0; j < n; j++) {
                    vq[j] += vi * qt[row + j];
                }
            }
            for (int i = k + 1; i < n; i++) {
                double bv = beta * v[i];
                int row = i * n;
                for (int j = 0; j < n; j++) {
                    qt[row + j] -= bv * vq[j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            diag[i] = t[i * n + i];
            if (i + 1 < n) {
                off[i] = t[(i + 1) * n + i];
            }
        }
    }

    /**
     * Diagonalises the symmetric tridiagonal (d, e) in place by implicit QR steps with the Wilkinson shift,
     * applying every rotation to the rows of qt.
     */
    private static void implicitQr(double[] d, double[] e, double[] qt, int n) {
        final double eps = Math.ulp(1.0);
        int hi = n - 1;
        int iterations = 0;
        while (hi > 0) {
            // Deflate: drop negligible off-diagonal entries, then find the unreduced block [lo, hi].
            for (int i = 0; i < hi; i++) {
                if (Math.abs(e[i]) <= eps * (Math.abs(d[i]) + Math.abs(d[i + 1]))) {
                    e[i] = 0;
                }
            }
            while (hi > 0 && e[hi - 1] == 0) {
                hi--;
            }
            if (hi == 0) {
                break;
            }
            int lo = hi - 1;
            while (lo > 0 && e[lo - 1] != 0) {
                lo--;
            }
            if (++iterations > MAX_ITERATIONS_PER_VALUE * n) {
                throw new ArithmeticException("symmetric eigensolver did not converge (" + n + " x " + n + ")");
            }
            qrStep(d, e, qt, n, lo, hi);
        }
    }

    /** One implicit shifted QR step on the unreduced block [lo, hi]. */
    private static void qrStep(double[] d, double[] e, double[] qt, int n, int lo, int hi) {
        // Wilkinson shift: the eigenvalue of the trailing 2x2 block closer to d[hi].
        double delta = 0.5 * (d[hi - 1] - d[hi]);
        double eh = e[hi - 1];
        double denom = delta + Math.copySign(Math.hypot(delta, eh), delta == 0 ? 1 : delta);
        double mu = d[hi] - eh * eh / denom;
        double x = d[lo] - mu;
        double z = e[lo];
        for (int k = lo; k < hi; k++) {
            // G^T [x; z] = [r; 0] with G = [[c, s], [-s, c]]: c = x / r, s = -z / r.
            double r = Math.hypot(x, z);
            double c = r == 0 ? 1 : x / r;
            double s = r == 0 ? 0 : -z / r;
            if (k > lo) {
                e[k - 1] = r;
            }
            double dk = d[k];
            double dk1 = d[k + 1];
            double ek = e[k];
            double cs = c * s;
            d[k] = c * c * dk - 2 * cs * ek + s * s * dk1;
            d[k + 1] = s * s * dk + 2 * cs * ek + c * c * dk1;
            e[k] = cs * (dk - dk1) + (c * c - s * s) * ek;
            if (k + 1 < hi) {
                z = -s * e[k + 1];
                e[k + 1] = c * e[k + 1];
                x = e[k];
            }
            // Q^T <- G^T Q^T on rows k, k+1.
            int rk = k * n;
            int rk1 = rk + n;
            for (int j = 0; j < n; j++) {
                double a = qt[rk + j];
                double b = qt[rk1 + j];
                qt[rk + j] = c * a - s * b;
                qt[rk1 + j] = s * a + c * b;
            }
        }
    }
}
