package io.jgrok.check;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The comparisons one check makes, and the worst of them. The device checks are written once, in main, against
 * this class, and run both by the JUnit tests and by {@code jgrok gpu-check}: the first comparison that fails throws
 * {@link CheckFailure} (an {@link AssertionError}, so JUnit reports it as a failed assertion with the same message an
 * {@code assertTrue} would have had), and every comparison is remembered so that gpu-check can print a passed check's
 * worst error next to its bound.
 *
 * <p>"Worst" is the comparison with the largest error relative to its bound. Exact comparisons (equal bits, a
 * condition) count as error 0 when they hold.
 */
public final class Verdict {
    private int comparisons;
    private double worstRatio = -1;
    private double worstError;
    private double worstBound = Double.NaN;
    private String worstWhat = "";

    /** A failed comparison: its message says what was compared and how far off it was. */
    public static final class CheckFailure extends AssertionError {
        private static final long serialVersionUID = 1L;

        CheckFailure(String message) {
            super(message);
        }
    }

    /** Passes when {@code error < bound} (NaN fails): a relative or absolute error against its tolerance. */
    public Verdict within(String what, double error, double bound) {
        record(what, error, bound, error < bound);
        return this;
    }

    /** Passes when {@code error <= bound}: a count or a difference allowed up to and including the bound. */
    public Verdict atMost(String what, double error, double bound) {
        record(what, error, bound, error <= bound);
        return this;
    }

    /** Passes when |expected - actual| <= delta (JUnit's assertEquals with a delta). */
    public Verdict close(String what, double expected, double actual, double delta) {
        double error = Math.abs(expected - actual);
        if (!(error <= delta)) {
            fail(what, String.format(Locale.ROOT, "%s: expected %s but was %s (difference %.3g, allowed %.3g)", what,
                    expected, actual, error, delta), error, delta);
        }
        record(what, error, delta, true);
        return this;
    }

    /** A condition that must hold. */
    public Verdict isTrue(String what, boolean condition) {
        if (!condition) {
            fail(what, what, Double.POSITIVE_INFINITY, 0);
        }
        record(what, 0, 0, true);
        return this;
    }

    /** Equal values (doubles and floats compare by bits, so NaN equals NaN, as in JUnit's assertEquals). */
    public Verdict equal(String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            fail(what, what + ": expected <" + expected + "> but was <" + actual + ">", Double.POSITIVE_INFINITY, 0);
        }
        record(what, 0, 0, true);
        return this;
    }

    public Verdict equal(String what, long expected, long actual) {
        return equal(what, (Object) expected, (Object) actual);
    }

    public Verdict equal(String what, double expected, double actual) {
        return equal(what, (Object) expected, (Object) actual);
    }

    /** Bit-identical float arrays (JUnit's assertArrayEquals). */
    public Verdict same(String what, float[] expected, float[] actual) {
        if (!Arrays.equals(expected, actual)) {
            fail(what, what + ": arrays differ " + firstDifference(expected, actual), Double.POSITIVE_INFINITY, 0);
        }
        record(what, 0, 0, true);
        return this;
    }

    public Verdict same(String what, int[] expected, int[] actual) {
        if (!Arrays.equals(expected, actual)) {
            fail(what, what + ": expected " + Arrays.toString(expected) + " but was " + Arrays.toString(actual),
                    Double.POSITIVE_INFINITY, 0);
        }
        record(what, 0, 0, true);
        return this;
    }

    /** That {@code action} throws {@code type}; returns what it threw. */
    public <T extends Throwable> T fails(String what, Class<T> type, Runnable action) {
        try {
            action.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) {
                record(what, 0, 0, true);
                return type.cast(t);
            }
            fail(what, what + ": expected " + type.getSimpleName() + " but " + t + " was thrown",
                    Double.POSITIVE_INFINITY, 0);
        }
        fail(what, what + ": expected " + type.getSimpleName() + " but nothing was thrown", Double.POSITIVE_INFINITY,
                0);
        return null;
    }

    /** How many comparisons were made (a check that made none proved nothing). */
    public int comparisons() {
        return comparisons;
    }

    /** The largest error relative to its bound so far (0 when only exact comparisons were made). */
    public double worstError() {
        return worstError;
    }

    /** The bound of the worst comparison (NaN when there was none with a bound). */
    public double worstBound() {
        return worstBound;
    }

    /** What the worst comparison compared. */
    public String worstWhat() {
        return worstWhat;
    }

    private void record(String what, double error, double bound, boolean ok) {
        if (!ok) {
            fail(what, String.format(Locale.ROOT, "%s: error %.3g exceeds its bound %.3g", what, error, bound), error,
                    bound);
        }
        comparisons++;
        double ratio = bound > 0 ? error / bound : (error == 0 ? 0 : Double.POSITIVE_INFINITY);
        if (ratio > worstRatio) {
            worstRatio = ratio;
            worstError = error;
            worstBound = bound;
            worstWhat = what;
        }
    }

    private void fail(String what, String message, double error, double bound) {
        comparisons++;
        worstRatio = Double.POSITIVE_INFINITY;
        worstError = error;
        worstBound = bound;
        worstWhat = what;
        throw new CheckFailure(message);
    }

    private static String firstDifference(float[] a, float[] b) {
        if (a == null || b == null || a.length != b.length) {
            return "in length: " + (a == null ? "null" : a.length) + " vs " + (b == null ? "null" : b.length);
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return "first at element " + i + ": expected " + a[i] + " but was " + b[i];
            }
        }
        return "";
    }
}
