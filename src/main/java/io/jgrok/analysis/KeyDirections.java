package io.jgrok.analysis;

/**
 * The key-frequency directions over the p^2 input grid, tabulated per s = (a + b) mod p, and the weights that turn
 * coefficients on them into the amplitude of cos(w_k(a+b-c)). Shared by the CPU ablation ({@link LogitAblation})
 * and the device one (uploaded as tables), so both project onto the same float64 vectors.
 *
 * <pre>
 *   cos(w_k(a+b)):  (F[cos k] (x) F[cos k] - F[sin k] (x) F[sin k]) / sqrt 2
 *   sin(w_k(a+b)):  (F[sin k] (x) F[cos k] + F[cos k] (x) F[sin k]) / sqrt 2
 * </pre>
 * Both are orthonormal and depend on (a, b) only through s, so the value at s is read off the input (0, s).
 */
final class KeyDirections {
    final int p;
    final int[] keys;
    /** Direction values per s: uCos[i * p + s], uSin[i * p + s] for key frequency i (uSin is 0 at Nyquist). */
    final double[] uCos;
    final double[] uSin;
    /** Per key frequency and class c: weights turning the coefficients into the amplitude of cos(w(a+b-c)). */
    final double[] ampCos;
    final double[] ampSin;
    /** |cos(w_k(a+b-c))|^2 over the p^3 grid, per key frequency. */
    final double[] ampNorm2;

    KeyDirections(FourierBasis basis, int[] keys) {
        this.p = basis.p();
        this.keys = keys.clone();
        int nKey = keys.length;
        this.uCos = new double[nKey * p];
        this.uSin = new double[nKey * p];
        this.ampCos = new double[nKey * p];
        this.ampSin = new double[nKey * p];
        this.ampNorm2 = new double[nKey];
        double invSqrt2 = 1 / Math.sqrt(2);
        for (int i = 0; i < nKey; i++) {
            int k = keys[i];
            if (k < 1 || k > basis.nFrequencies()) {
                throw new IllegalArgumentException("key frequency " + k + " is outside 1.." + basis.nFrequencies());
            }
            int cr = basis.cosRow(k);
            int sr = basis.sinRow(k);
            for (int s = 0; s < p; s++) {
                double ca = basis.get(cr, 0);
                double cb = basis.get(cr, s);
                if (sr < 0) {
                    // Even p, frequency p/2: cos(pi(a+b)) = cos(pi a) cos(pi b), and no sin direction.
                    uCos[i * p + s] = ca * cb;
                } else {
                    double sa = basis.get(sr, 0);
                    double sb = basis.get(sr, s);
                    uCos[i * p + s] = (ca * cb - sa * sb) * invSqrt2;
                    uSin[i * p + s] = (sa * cb + ca * sb) * invSqrt2;
                }
            }
            // <L, cos(w(a+b-c))> = sum_c (|cos(w(a+b))| C[cos, c] cos(wc) + |sin(w(a+b))| C[sin, c] sin(wc)),
            // with |.| the norm over the p^2 grid; divided by |cos(w(a+b-c))|^2 over the p^3 grid.
            double normCos = 0;
            double normSin = 0;
            for (int s = 0; s < p; s++) {
                double angle = 2 * Math.PI * ((long) k * s % p) / p;
                normCos += (double) p * Math.cos(angle) * Math.cos(angle);
                normSin += (double) p * Math.sin(angle) * Math.sin(angle);
            }
            for (int c = 0; c < p; c++) {
                double angle = 2 * Math.PI * ((long) k * c % p) / p;
                ampCos[i * p + c] = Math.sqrt(normCos) * Math.cos(angle);
                ampSin[i * p + c] = Math.sqrt(normSin) * Math.sin(angle);
            }
            ampNorm2[i] = p * normCos;
        }
    }

    int size() {
        return keys.length;
    }
}
