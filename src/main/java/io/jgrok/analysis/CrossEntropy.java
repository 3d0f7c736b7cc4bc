package io.jgrok.analysis;

import io.jgrok.config.LossFunction;
import io.jgrok.engine.StableMax;

/**
 * Float64 cross-entropy of one row of logits, as the analysis uses it. Losses near 1e-7 and below need care beyond
 * float64 itself: with m the row's maximum at index j, -log softmax(z)[y] = (m - z_y) + log1p(sum_{c != j}
 * exp(z_c - m)), so a confident correct row gives log1p(tiny) without the cancellation of log(1 + tiny).
 */
public final class CrossEntropy {
    private CrossEntropy() {
    }

    /** -log softmax(z)[label] over z[off .. off+n). */
    public static double loss(double[] z, int off, int n, int label) {
        int best = argmax(z, off, n);
        double max = z[off + best];
        double others = 0;
        for (int c = 0; c < n; c++) {
            if (c != best) {
                others += Math.exp(z[off + c] - max);
            }
        }
        return (max - z[off + label]) + Math.log1p(others);
    }

    /** The run's loss of one row: softmax cross-entropy as above, or StableMax's for a --loss stablemax run. */
    public static double loss(LossFunction function, double[] z, int off, int n, int label) {
        return function == LossFunction.STABLEMAX ? StableMax.loss(z, off, n, label) : loss(z, off, n, label);
    }

    /** Whether label is the argmax of z[off .. off+n) (ties go to the lower index). */
    public static boolean correct(double[] z, int off, int n, int label) {
        return argmax(z, off, n) == label;
    }

    private static int argmax(double[] z, int off, int n) {
        int best = 0;
        double bestVal = z[off];
        for (int c = 1; c < n; c++) {
            if (z[off + c] > bestVal) {
                bestVal = z[off + c];
                best = c;
            }
        }
        return best;
    }
}
