package io.jgrok.analysis;

import java.util.Arrays;

/**
 * The Gini coefficient as a sparsity measure (Hurley and Rickard 2009), which the paper applies to the Fourier
 * components of W_E and W_L but does not define in code. Our choice, used everywhere: the input is the vector of
 * per-frequency norms c_k = sqrt(|cos k|^2 + |sin k|^2) for k = 1..floor(p/2) (the constant term is left out, since
 * it carries no frequency); with c sorted ascending and i counted from 1,
 * <pre>
 *   G = sum_i (2i - N - 1) c_i / (N sum_i c_i)
 * </pre>
 * which is 0 when all norms are equal and (N-1)/N when one frequency holds everything. It equals the mean absolute
 * difference form sum_i sum_j |c_i - c_j| / (2 N sum c), is invariant to scaling and permutation, and rises as the
 * model concentrates on a few key frequencies. All-zero input gives 0 (no concentration).
 */
public final class Gini {
    private Gini() {
    }

    public static double of(double[] values) {
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("Gini of an empty vector");
        }
        double[] c = values.clone();
        for (double x : c) {
            if (!(x >= 0) || Double.isInfinite(x)) {
                throw new IllegalArgumentException("Gini needs finite non-negative values, got " + x);
            }
        }
        Arrays.sort(c);
        double sum = 0;
        double weighted = 0;
        for (int i = 0; i < n; i++) {
            sum += c[i];
            weighted += (2.0 * (i + 1) - n - 1) * c[i];
        }
        return sum == 0 ? 0.0 : weighted / (n * sum);
    }
}
