package io.jgrok.analysis;

/**
 * Float64 cross-entropy of one row of logits, as the analysis uses it (losses near 1e-7 need float64: the log-sum-exp
 * is taken relative to the row's maximum, so a confident correct row gives log(1 + tiny) without cancellation).
 */
final class CrossEntropy {
    private CrossEntropy() {
    }

    /** -log softmax(z)[label] over z[off .. off+n). */
    static double loss(double[] z, int off, int n, int label) {
        double max = z[off];
        for (int c = 1; c < n; c++) {
            max = Math.max(max, z[off + c]);
        }
        double sum = 0;
        for (int c = 0; c < n; c++) {
            sum += Math.exp(z[off + c] - max);
        }
        return max + Math.log(sum) - z[off + label];
    }

    /** Whether label is the argmax of z[off .. off+n) (ties go to the lower index). */
    static boolean correct(double[] z, int off, int n, int label) {
        int best = 0;
        double bestVal = z[off];
        for (int c = 1; c < n; c++) {
            if (z[off + c] > bestVal) {
                bestVal = z[off + c];
                best = c;
            }
        }
        return best == label;
    }
}
