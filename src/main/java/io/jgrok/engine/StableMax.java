package io.jgrok.engine;

/**
 * StableMax (Prieto et al. 2025, "Grokking at the edge of numerical stability", and their code): the exponential of
 * the softmax replaced by
 * <pre>
 *   s(x) = x + 1          for x >= 0
 *   s(x) = 1 / (1 - x)    for x < 0
 * </pre>
 * and the loss -log(s(z_y) / sum_j s(z_j)) of the raw logits (s is not shift-invariant, so no max is subtracted).
 * Its gradient with respect to logit j is s'(z_j) / sum_k s(z_k) - [j = y] s'(z_y) / s(z_y), with s'(x) = 1 for
 * x >= 0 and s(x)^2 for x < 0 (s and s' are continuous at 0). Everything is float64, as in the authors' code; their
 * 1e-30 added to 1 - x changes nothing in float64 (1 - x >= 1 there) and is left out.
 */
public final class StableMax {
    private StableMax() {
    }

    /** s(x). */
    public static double s(double x) {
        return x >= 0 ? x + 1 : 1 / (1 - x);
    }

    /** The StableMax cross-entropy of one row of logits z[off, off + n) with label y: log sum_j s(z_j) - log s(z_y). */
    public static double loss(double[] z, int off, int n, int y) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += s(z[off + j]);
        }
        return Math.log(sum) - Math.log(s(z[off + y]));
    }

    /** s'(x), given sx = s(x). */
    public static double derivative(double x, double sx) {
        return x >= 0 ? 1 : sx * sx;
    }
}
