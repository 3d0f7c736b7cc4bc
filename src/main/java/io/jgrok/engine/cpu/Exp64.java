package io.jgrok.engine.cpu;

/**
 * exp(x) in float64 from operations whose results IEEE 754 fixes exactly (add, multiply, fused multiply-add, bit
 * moves), so that every JIT tier, the interpreter and the SIMD version in VectorOps give the same bits. (The
 * Vector API's own EXP uses SVML when compiled and Math.exp when interpreted, which differ in the last bit and
 * made two identical runs diverge.) Accuracy: within 2 ulp of the true value for x in [-708, 709] (tested).
 *
 * <p>Method: x = k ln2 + r with k = round(x / ln2) (by the 1.5 * 2^52 rounding trick) and a two-part ln2
 * (Cody-Waite), |r| <= ln2/2; exp(r) by its Taylor polynomial of degree 13 (truncation error below 1e-17 relative)
 * in Horner form; 2^k assembled in the exponent bits. Inputs below -708 return exp(-708) (~3e-308): the engine
 * only uses this for softmax terms exp(l - max) <= 1 whose sum is >= 1, where such terms are negligible.
 */
public final class Exp64 {
    static final double LOG2E = 1.4426950408889634;
    static final double LN2_HI = 0.6931471803691238;      // high bits of ln 2, exact products with small k
    static final double LN2_LO = 1.9082149292705877e-10;  // ln 2 - LN2_HI
    static final double ROUNDER = 6755399441055744.0;     // 1.5 * 2^52
    static final double MIN_X = -708.0;
    static final double MAX_X = 709.0;
    /** 1/n! for n = 13 down to 0 (Horner order). */
    static final double[] COEFFS = new double[14];

    static {
        double f = 1;
        double[] inv = new double[14];
        for (int n = 0; n <= 13; n++) {
            if (n > 0) {
                f *= n;
            }
            inv[n] = 1.0 / f;
        }
        for (int i = 0; i <= 13; i++) {
            COEFFS[i] = inv[13 - i];
        }
    }

    private Exp64() {
    }

    public static double exp(double x) {
        double xc = Math.min(Math.max(x, MIN_X), MAX_X);
        double t = Math.fma(xc, LOG2E, ROUNDER);
        double k = t - ROUNDER;
        double r = Math.fma(-k, LN2_HI, xc);
        r = Math.fma(-k, LN2_LO, r);
        double poly = COEFFS[0];
        for (int i = 1; i < COEFFS.length; i++) {
            poly = Math.fma(poly, r, COEFFS[i]);
        }
        long kBits = Double.doubleToRawLongBits(t) - Double.doubleToRawLongBits(ROUNDER);
        double scale = Double.longBitsToDouble((kBits + 1023) << 52);
        return poly * scale;
    }
}
