package io.jgrok.figures;

/**
 * Places labels along one axis so that no two are closer than a minimum gap while each stays as near as possible to
 * its wanted position (the centre of the cell it names); leader lines join the two. Overlapping labels are merged
 * into groups, and each group is centred on the mean of its members' wanted positions, then kept inside the allowed
 * range; repeating until no groups overlap gives the least total displacement for labels that keep their order.
 */
final class LabelSpreader {
    private LabelSpreader() {
    }

    /**
     * @param wanted ascending wanted positions
     * @param gap    minimum distance between neighbouring labels
     * @param min    lowest allowed position
     * @param max    highest allowed position (if the labels do not fit, they overflow past it)
     * @return positions, ascending, at least {@code gap} apart
     */
    static double[] spread(double[] wanted, double gap, double min, double max) {
        int n = wanted.length;
        for (int i = 1; i < n; i++) {
            if (wanted[i] < wanted[i - 1]) {
                throw new IllegalArgumentException("label positions must be ascending");
            }
        }
        // Groups of consecutive labels: start index, count; a group's labels sit gap apart from its first position.
        int[] start = new int[n];
        int[] count = new int[n];
        double[] first = new double[n];
        int groups = 0;
        for (int i = 0; i < n; i++) {
            start[groups] = i;
            count[groups] = 1;
            first[groups] = clamp(wanted[i], min, max, 1, gap);
            groups++;
            // Merge with the previous group while they overlap.
            while (groups > 1 && first[groups - 2] + count[groups - 2] * gap > first[groups - 1]) {
                int a = groups - 2;
                count[a] += count[groups - 1];
                groups--;
                double mean = 0;
                for (int j = start[a]; j < start[a] + count[a]; j++) {
                    mean += wanted[j] - (j - start[a]) * gap;
                }
                first[a] = clamp(mean / count[a], min, max, count[a], gap);
            }
        }
        double[] out = new double[n];
        for (int gIdx = 0; gIdx < groups; gIdx++) {
            for (int j = 0; j < count[gIdx]; j++) {
                out[start[gIdx] + j] = first[gIdx] + j * gap;
            }
        }
        return out;
    }

    /** Keeps a group of {@code k} labels starting at {@code x} within [min, max] where it fits. */
    private static double clamp(double x, double min, double max, int k, double gap) {
        double span = (k - 1) * gap;
        if (span > max - min) {
            return min;
        }
        return Math.max(min, Math.min(x, max - span));
    }
}
