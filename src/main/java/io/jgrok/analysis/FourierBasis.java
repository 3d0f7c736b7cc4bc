package io.jgrok.analysis;

import io.jgrok.config.FourierOrder;

/**
 * The paper's real Fourier basis over Z_p: p orthonormal rows, the constant 1/sqrt(p) first, then for each
 * frequency k = 1, 2, ... a cos(2 pi k x / p) row and a sin(2 pi k x / p) row, each divided by its own norm.
 * {@link FourierOrder#COS_FIRST} (the paper's notebook) puts cos k before sin k, {@link FourierOrder#SIN_FIRST}
 * (the TransformerLens demo) the other way round; everything that labels or orders basis rows goes through here so
 * that outputs follow the run's order.
 *
 * <p>For odd p (the analysis assumes a prime) the frequencies are k = 1..(p-1)/2, two rows each. For even p the last
 * frequency p/2 has only a cos row (its sin row would be zero), with norm sqrt(p).
 */
public final class FourierBasis {
    private final int p;
    private final FourierOrder order;
    private final double[] rows;
    private final int nFrequencies;

    public FourierBasis(int p, FourierOrder order) {
        if (p < 2) {
            throw new IllegalArgumentException("p must be >= 2, got " + p);
        }
        this.p = p;
        this.order = order;
        this.nFrequencies = p / 2;
        this.rows = new double[p * p];
        double constant = 1.0 / Math.sqrt(p);
        for (int x = 0; x < p; x++) {
            rows[x] = constant;
        }
        for (int k = 1; k <= nFrequencies; k++) {
            double[] cos = new double[p];
            double[] sin = new double[p];
            for (int x = 0; x < p; x++) {
                // Reduce k*x mod p first so that the angle stays in [0, 2 pi) and keeps full precision.
                double angle = 2 * Math.PI * ((long) k * x % p) / p;
                cos[x] = Math.cos(angle);
                sin[x] = Math.sin(angle);
            }
            System.arraycopy(normalised(cos), 0, rows, cosRow(k) * p, p);
            if (sinRow(k) >= 0) {
                System.arraycopy(normalised(sin), 0, rows, sinRow(k) * p, p);
            }
        }
    }

    private static double[] normalised(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        double inv = 1.0 / Math.sqrt(s);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }

    public int p() {
        return p;
    }

    public FourierOrder order() {
        return order;
    }

    /** Number of frequencies k = 1..floor(p/2). */
    public int nFrequencies() {
        return nFrequencies;
    }

    /** Row index of cos k. */
    public int cosRow(int k) {
        checkFrequency(k);
        if (2 * k == p) {
            return p - 1;
        }
        return order == FourierOrder.COS_FIRST ? 2 * k - 1 : 2 * k;
    }

    /** Row index of sin k, or -1 for the Nyquist frequency p/2 of an even p (no sin row). */
    public int sinRow(int k) {
        checkFrequency(k);
        if (2 * k == p) {
            return -1;
        }
        return order == FourierOrder.COS_FIRST ? 2 * k : 2 * k - 1;
    }

    /** Frequency of a row (0 for the constant). */
    public int frequencyOfRow(int row) {
        return (row + 1) / 2;
    }

    /** Whether a row is a cos row (the constant counts as neither). */
    public boolean isCosRow(int row) {
        return row > 0 && cosRow(frequencyOfRow(row)) == row;
    }

    /** Label of a row: "const", "cos k" or "sin k". */
    public String label(int row) {
        if (row == 0) {
            return "const";
        }
        return (isCosRow(row) ? "cos " : "sin ") + frequencyOfRow(row);
    }

    public String[] labels() {
        String[] out = new String[p];
        for (int r = 0; r < p; r++) {
            out[r] = label(r);
        }
        return out;
    }

    /** Element (row, x). */
    public double get(int row, int x) {
        return rows[row * p + x];
    }

    /** The p x p basis, row-major (row = basis vector); a copy. */
    public double[] matrix() {
        return rows.clone();
    }

    /** The basis in float32, row-major, for devices and the arrays file. */
    public float[] matrixFloat() {
        float[] out = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = (float) rows[i];
        }
        return out;
    }

    /**
     * Per-frequency norms sqrt(|cos k|^2 + |sin k|^2) for k = 1..nFrequencies, from per-row norms (index = row);
     * the constant is left out.
     */
    public double[] frequencyNorms(double[] rowNorms) {
        double[] out = new double[nFrequencies];
        for (int k = 1; k <= nFrequencies; k++) {
            double c = rowNorms[cosRow(k)];
            double s = sinRow(k) >= 0 ? rowNorms[sinRow(k)] : 0;
            out[k - 1] = Math.sqrt(c * c + s * s);
        }
        return out;
    }

    private void checkFrequency(int k) {
        if (k < 1 || k > nFrequencies) {
            throw new IllegalArgumentException("frequency must be in 1.." + nFrequencies + ", got " + k);
        }
    }
}
