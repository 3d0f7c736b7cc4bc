package io.jgrok.optim;

import io.jgrok.config.RunConfig;
import io.jgrok.model.ParamLayout;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of the flat parameter buffer that the optimiser updates, as sorted, disjoint [from, to) ranges.
 * Everything is trainable in the paper's config; the TransformerLens demo freezes b_in and b_out at zero.
 */
public final class TrainableRanges {
    private final int[] from;
    private final int[] to;

    private TrainableRanges(int[] from, int[] to) {
        this.from = from;
        this.to = to;
    }

    public static TrainableRanges of(RunConfig config, ParamLayout layout) {
        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        if (!config.trainMlpBiases()) {
            for (String frozen : new String[] {ParamLayout.B_IN, ParamLayout.B_OUT}) {
                ParamLayout.Tensor t = layout.tensor(frozen);
                ranges.add(new int[] {start, t.offset()});
                start = t.end();
            }
        }
        ranges.add(new int[] {start, layout.size()});
        int[] f = new int[ranges.size()];
        int[] e = new int[ranges.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = ranges.get(i)[0];
            e[i] = ranges.get(i)[1];
        }
        return new TrainableRanges(f, e);
    }

    public int count() {
        return from.length;
    }

    public int from(int i) {
        return from[i];
    }

    public int to(int i) {
        return to[i];
    }

    /** Zeroes the gradient outside the trainable ranges. */
    public void maskGradient(float[] grad) {
        int prev = 0;
        for (int i = 0; i < from.length; i++) {
            java.util.Arrays.fill(grad, prev, from[i], 0f);
            prev = to[i];
        }
        java.util.Arrays.fill(grad, prev, grad.length, 0f);
    }
}
