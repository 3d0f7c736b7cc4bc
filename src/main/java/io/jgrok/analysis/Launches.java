package io.jgrok.analysis;

/** Launch-shape arithmetic for the analysis kernels. */
final class Launches {
    private Launches() {
    }

    /** ceil(n / per), at least 1, checked to fit a grid dimension. */
    static int blocks(long n, int per) {
        long b = Math.max(1, (n + per - 1) / per);
        if (b > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " elements are too many for one launch");
        }
        return (int) b;
    }
}
