package io.jgrok.analysis;

/**
 * The complex-DFT route to the coefficients of {@link FourierBasis}, as a batched real-to-complex FFT (cuFFT) delivers
 * them: the half spectrum X_k = sum_x v[x] exp(-2 pi i k x / p) for k = 0..floor(p/2), then
 * <pre>
 *   const   = X_0 / sqrt(p)
 *   cos k   =  sqrt(2/p) Re X_k        (k = 1..(p-1)/2)
 *   sin k   = -sqrt(2/p) Im X_k
 *   cos p/2 = X_{p/2} / sqrt(p)        (even p only; real)
 * </pre>
 * because the cos and sin rows of the basis are cos and sin divided by sqrt(p/2) and Re X_k = sum v cos,
 * -Im X_k = sum v sin. This class evaluates the DFT directly in float64 (O(p^2) per column): it is the reference
 * that ties the device's FFT path to the basis path, not a fast transform.
 */
public final class Dft {
    private Dft() {
    }

    /** The half spectrum of the columns of {@code x} ([p, m], transform axis first). */
    public record HalfSpectrum(int p, int m, double[] re, double[] im) {
        /** Number of spectrum rows: floor(p/2) + 1. */
        public int rows() {
            return p / 2 + 1;
        }
    }

    /** X_k for k = 0..floor(p/2) of each column of x [p, m]. */
    public static HalfSpectrum halfSpectrum(double[] x, int p, int m) {
        int nk = p / 2 + 1;
        double[] re = new double[nk * m];
        double[] im = new double[nk * m];
        for (int k = 0; k < nk; k++) {
            for (int t = 0; t < p; t++) {
                double angle = 2 * Math.PI * ((long) k * t % p) / p;
                double c = Math.cos(angle);
                double s = -Math.sin(angle);
                for (int j = 0; j < m; j++) {
                    double v = x[t * m + j];
                    re[k * m + j] += v * c;
                    im[k * m + j] += v * s;
                }
            }
        }
        return new HalfSpectrum(p, m, re, im);
    }

    /** Coefficients in the basis (rows in the basis's order) [p, m] from a half spectrum. */
    public static double[] toBasis(FourierBasis basis, HalfSpectrum spectrum) {
        int p = basis.p();
        int m = spectrum.m();
        if (spectrum.p() != p) {
            throw new IllegalArgumentException("spectrum is for p = " + spectrum.p() + ", basis for " + p);
        }
        double[] out = new double[p * m];
        double invSqrtP = 1.0 / Math.sqrt(p);
        double sqrt2OverP = Math.sqrt(2.0 / p);
        for (int j = 0; j < m; j++) {
            out[j] = spectrum.re()[j] * invSqrtP;
        }
        for (int k = 1; k <= basis.nFrequencies(); k++) {
            int cos = basis.cosRow(k);
            int sin = basis.sinRow(k);
            for (int j = 0; j < m; j++) {
                double re = spectrum.re()[k * m + j];
                double im = spectrum.im()[k * m + j];
                if (sin < 0) {
                    out[cos * m + j] = re * invSqrtP;
                } else {
                    out[cos * m + j] = sqrt2OverP * re;
                    out[sin * m + j] = -sqrt2OverP * im;
                }
            }
        }
        return out;
    }

    /** F x along the first axis of x [p, m] by the DFT route. */
    public static double[] transform1d(FourierBasis basis, double[] x, int m) {
        return toBasis(basis, halfSpectrum(x, basis.p(), m));
    }

    /** F x F^T over the first two axes of x [p, p, m] by the DFT route (axis 0, then axis 1). */
    public static double[] transform2d(FourierBasis basis, double[] x, int m) {
        int p = basis.p();
        double[] first = transform1d(basis, x, p * m);
        double[] out = new double[p * p * m];
        double[] slice = new double[p * m];
        for (int i = 0; i < p; i++) {
            System.arraycopy(first, i * p * m, slice, 0, p * m);
            System.arraycopy(transform1d(basis, slice, m), 0, out, i * p * m, p * m);
        }
        return out;
    }
}
