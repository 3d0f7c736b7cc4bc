package io.jgrok.figures;

import java.util.Arrays;

/** Preparing curves for plotting: dropping points a chart cannot show and thinning very long series. */
final class Curves {
    /** Longest series drawn point for point; longer ones are thinned by {@link #thin}. */
    static final int MAX_POINTS = 2500;

    private Curves() {
    }

    /** An (x, y) series. */
    record Series(double[] x, double[] y) {
        int size() {
            return x.length;
        }
    }

    /** Keeps the points with a finite y (and y > 0 when {@code positive}, for log axes). */
    static Series finite(double[] x, double[] y, boolean positive) {
        double[] xs = new double[x.length];
        double[] ys = new double[x.length];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i]) && (!positive || y[i] > 0)) {
                xs[n] = x[i];
                ys[n] = y[i];
                n++;
            }
        }
        return new Series(Arrays.copyOf(xs, n), Arrays.copyOf(ys, n));
    }

    /**
     * At most about {@code maxPoints} points: the series is cut into buckets of consecutive points and each bucket
     * keeps its first point and its lowest and highest ones (in their original order), so loss spikes and the
     * envelope of noisy stretches survive the thinning.
     */
    static Series thin(Series s, int maxPoints) {
        int n = s.size();
        if (n <= maxPoints) {
            return s;
        }
        int buckets = Math.max(1, maxPoints / 3);
        double[] xs = new double[3 * buckets + 1];
        double[] ys = new double[3 * buckets + 1];
        int m = 0;
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * n / buckets);
            int to = (int) ((long) (b + 1) * n / buckets);
            if (from >= to) {
                continue;
            }
            int lo = from;
            int hi = from;
            for (int i = from; i < to; i++) {
                if (s.y()[i] < s.y()[lo]) {
                    lo = i;
                }
                if (s.y()[i] > s.y()[hi]) {
                    hi = i;
                }
            }
            int[] keep = {from, Math.min(lo, hi), Math.max(lo, hi)};
            int last = -1;
            for (int i : keep) {
                if (i != last) {
                    xs[m] = s.x()[i];
                    ys[m] = s.y()[i];
                    m++;
                    last = i;
                }
            }
        }
        if (xs[m - 1] != s.x()[n - 1]) {
            xs[m] = s.x()[n - 1];
            ys[m] = s.y()[n - 1];
            m++;
        }
        return new Series(Arrays.copyOf(xs, m), Arrays.copyOf(ys, m));
    }

    /** Finite (positive) points, thinned. */
    static Series prepare(double[] x, double[] y, boolean positive) {
        return thin(finite(x, y, positive), MAX_POINTS);
    }

    static double[] toDouble(long[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
