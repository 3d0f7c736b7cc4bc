package io.jgrok.analysis;

/**
 * Estimates the paper's three phase boundaries from the progress measures. The paper picks them by eye (1.4k, 9.4k
 * and 14k epochs); this is our deterministic rule, written to match the paper's description of the phases
 * (memorization: train and excluded loss fall; circuit formation: excluded loss rises while test loss stays high;
 * cleanup: test loss falls sharply):
 * <ol>
 *   <li>Loss curves are taken in log10 and smoothed by a centred running median of 3 checkpoints, which removes
 *       isolated loss spikes without moving monotone stretches.</li>
 *   <li><b>End of circuit formation</b> (start of cleanup): the extrapolated onset of the test-loss descent. From the
 *       peak of the smoothed test loss to its minimum after the peak the curve drops by D decades; if
 *       D &lt; {@link #MIN_DROP_DECADES} the run has not grokked and both cleanup bounds are null. Otherwise t20 and
 *       t50 are the first epochs after the peak at which it has fallen by 20% and 50% of D (linear interpolation
 *       between checkpoints), and the boundary is where the line through those two points meets the peak level,
 *       t20 - (t50 - t20) * 2/3, but not before the peak. For a descent that is linear in log-loss this is exactly
 *       where it starts.</li>
 *   <li><b>End of cleanup</b>: where the sharp drop of the test loss ends. The descent rate at a checkpoint is the
 *       fall of the smoothed log test loss over the next {@link #RATE_WINDOW} checkpoints, per epoch; after the
 *       steepest point of the descent, the first checkpoint whose rate is below {@link #END_RATE_FRACTION} of the
 *       steepest rate ends it. A rate rather than a loss level, because the test loss keeps creeping down for the
 *       rest of training (weight decay keeps sharpening the logits), which would drag a level rule far past the
 *       sharp part; and it is not before the test accuracy first reaches {@link #CLEANUP_ACCURACY}
 *       (interpolated), so a descent that never generalises has no end of cleanup (null). (Accuracy alone ends
 *       too early: it saturates when the test loss is still decades above where it settles.)</li>
 *   <li><b>End of memorization</b>: the minimum of the smoothed (median-of-3, log10) excluded loss over the
 *       checkpoints up to the end of circuit formation (all checkpoints if there is none): where the excluded loss
 *       stops following the train loss down and starts to rise. The median of 3 turns a sharp minimum into a tie
 *       of up to three checkpoints, so a tie is broken by the raw curve: the tied checkpoint with the lowest raw
 *       excluded loss, and if that ties too, the first ({@link #memorizationEndIndex}). None (null) if the chosen
 *       checkpoint is the first: the excluded loss never dipped.</li>
 * </ol>
 * Results are epochs rounded to integers; with noise-free inputs they are exact to within one checkpoint interval.
 */
public final class PhaseBoundaries {
    /** A test-loss drop smaller than this (in decades) is not counted as grokking. */
    public static final double MIN_DROP_DECADES = 1.0;
    /** Test accuracy that cleanup must have reached. */
    public static final double CLEANUP_ACCURACY = 0.99;
    /** The sharp drop has ended where its rate falls below this fraction of the steepest rate. */
    public static final double END_RATE_FRACTION = 0.1;
    /** Checkpoints over which the descent rate is measured (forward difference). */
    public static final int RATE_WINDOW = 2;

    public static final String RULE = "log10 loss curves, running median of 3 checkpoints; end of circuit formation "
            + "= extrapolated onset of the test-loss descent through its 20% and 50% points (none if the descent is "
            + "under 1 decade); end of cleanup = first checkpoint after the steepest part of the descent where it "
            + "falls at under 10% of its steepest rate, and not before test accuracy reaches 99%; end of "
            + "memorization = minimum of the median-of-3 log10 excluded loss before circuit formation ends, a tie "
            + "broken by the lowest raw excluded loss, then by the first (none if that is the first checkpoint)";

    private PhaseBoundaries() {
    }

    /** Boundaries in epochs; null where the rule finds none. */
    public record Phases(Long memorizationEnd, Long circuitFormationEnd, Long cleanupEnd) {
    }

    /**
     * @param epochs       checkpoint epochs, ascending
     * @param testLoss     test loss per checkpoint (> 0)
     * @param testAccuracy test accuracy per checkpoint
     * @param excludedLoss excluded loss per checkpoint (> 0)
     */
    public static Phases estimate(long[] epochs, double[] testLoss, double[] testAccuracy, double[] excludedLoss) {
        int n = epochs.length;
        if (n == 0 || testLoss.length != n || testAccuracy.length != n || excludedLoss.length != n) {
            throw new IllegalArgumentException("phase boundaries need one value of each curve per checkpoint");
        }
        double[] test = medianOf3(log10(testLoss));
        Long circuitEnd = null;
        Long cleanupEnd = null;
        int peak = argmax(test, 0, n);
        int low = argmin(test, peak, n);
        double drop = test[peak] - test[low];
        if (drop >= MIN_DROP_DECADES) {
            double t20 = crossing(epochs, test, peak, test[peak] - 0.2 * drop);
            double t50 = crossing(epochs, test, peak, test[peak] - 0.5 * drop);
            double onset = Math.max(epochs[peak], t20 - (t50 - t20) * (0.2 / 0.3));
            circuitEnd = Math.round(onset);
            Long accurate = accuracyReached(epochs, testAccuracy, onset, CLEANUP_ACCURACY);
            Long settled = descentEnd(epochs, test, peak);
            cleanupEnd = accurate == null || settled == null ? null : Math.max(accurate, settled);
        }
        double[] rawExcluded = log10(excludedLoss);
        double[] excluded = medianOf3(rawExcluded);
        int last = n;
        if (circuitEnd != null) {
            last = 0;
            while (last < n && epochs[last] <= circuitEnd) {
                last++;
            }
            last = Math.max(last, 1);
        }
        int memorization = memorizationEndIndex(rawExcluded, excluded, last);
        // A minimum at the first checkpoint means the excluded loss never dipped (a coarse or small run): there
        // is no point where it stops following the train loss down, so no boundary rather than epoch 0.
        Long memorizationEnd = memorization == 0 ? null : epochs[memorization];
        return new Phases(memorizationEnd, circuitEnd, cleanupEnd);
    }

    /**
     * Index of the end of memorization among checkpoints {@code [0, last)}: the minimum of the smoothed curve; among
     * checkpoints tied at that minimum (a median of 3 turns a sharp minimum into a tie of up to three), the one whose
     * raw value is lowest; among those, the first. Both curves in log10.
     */
    static int memorizationEndIndex(double[] raw, double[] smoothed, int last) {
        double min = smoothed[argmin(smoothed, 0, last)];
        int best = -1;
        for (int i = 0; i < last; i++) {
            if (smoothed[i] == min && (best < 0 || raw[i] < raw[best])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The first checkpoint after the steepest part of the descent (from index {@code from}) at which the curve's
     * fall over the next RATE_WINDOW checkpoints, per epoch, is below END_RATE_FRACTION of the steepest; null if
     * the descent is still steep at the end.
     */
    private static Long descentEnd(long[] epochs, double[] y, int from) {
        int n = y.length;
        double steepest = 0;
        int steepestAt = -1;
        for (int i = from; i + RATE_WINDOW < n; i++) {
            double rate = fallRate(epochs, y, i);
            if (rate > steepest) {
                steepest = rate;
                steepestAt = i;
            }
        }
        if (steepestAt < 0) {
            return null;
        }
        for (int i = steepestAt + 1; i + RATE_WINDOW < n; i++) {
            if (fallRate(epochs, y, i) < END_RATE_FRACTION * steepest) {
                return epochs[i];
            }
        }
        return null;
    }

    private static double fallRate(long[] epochs, double[] y, int i) {
        return (y[i] - y[i + RATE_WINDOW]) / (epochs[i + RATE_WINDOW] - epochs[i]);
    }

    /** First epoch at or after {@code after} at which accuracy reaches {@code level}, interpolated; null if never. */
    private static Long accuracyReached(long[] epochs, double[] acc, double after, double level) {
        for (int j = 0; j < epochs.length; j++) {
            if (epochs[j] < after || !(acc[j] >= level)) {
                continue;
            }
            if (j == 0 || epochs[j - 1] < after || !(acc[j - 1] < level)) {
                return epochs[j];
            }
            double t = (level - acc[j - 1]) / (acc[j] - acc[j - 1]);
            return Math.round(epochs[j - 1] + t * (epochs[j] - epochs[j - 1]));
        }
        return null;
    }

    /** First epoch after index {@code from} at which the curve is at or below {@code level}, interpolated. */
    private static double crossing(long[] epochs, double[] y, int from, double level) {
        for (int j = from + 1; j < y.length; j++) {
            if (y[j] <= level) {
                double t = (y[j - 1] - level) / (y[j - 1] - y[j]);
                return epochs[j - 1] + t * (epochs[j] - epochs[j - 1]);
            }
        }
        return epochs[y.length - 1];
    }

    static double[] log10(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            // Keep the ordering total: a diverged (NaN or infinite) loss counts as huge, a loss of 0 as tiny.
            if (!(x[i] < Double.POSITIVE_INFINITY)) {
                out[i] = Math.log10(Double.MAX_VALUE);
            } else {
                out[i] = Math.log10(Math.max(x[i], Double.MIN_NORMAL));
            }
        }
        return out;
    }

    static double[] medianOf3(double[] x) {
        int n = x.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            if (i == 0 || i == n - 1) {
                out[i] = x[i];
            } else {
                double a = x[i - 1];
                double b = x[i];
                double c = x[i + 1];
                out[i] = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
            }
        }
        return out;
    }

    private static int argmax(double[] x, int from, int to) {
        int best = from;
        for (int i = from + 1; i < to; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private static int argmin(double[] x, int from, int to) {
        int best = from;
        for (int i = from + 1; i < to; i++) {
            if (x[i] < x[best]) {
                best = i;
            }
        }
        return best;
    }
}
