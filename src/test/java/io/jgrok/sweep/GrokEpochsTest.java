package io.jgrok.sweep;

import io.jgrok.io.History;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Epochs to grok against hand-made histories: thresholds, skipped (unevaluated) epochs, never reached. */
class GrokEpochsTest {

    private static History history(double[] testAcc, double[] testLoss) {
        History h = new History();
        for (int e = 0; e < testAcc.length; e++) {
            h.accept(e, 0.01, 1.0, testLoss[e], testAcc[e]);
        }
        return h;
    }

    @Test
    void firstEpochAtOrAboveTheAccuracyAndBelowTheLossThreshold() {
        double nan = Double.NaN;
        History h = history(new double[] {0.1, 0.98, nan, 0.99, 0.5, 1.0, 1.0},
                new double[] {5.0, 0.2, nan, 0.1, 3.0, 0.0999, 0.01});
        GrokEpochs g = GrokEpochs.of(h);
        assertEquals(3L, g.accuracy(), "0.99 counts (>=), the later dip does not undo it");
        assertEquals(5L, g.loss(), "0.1 itself does not count (<)");
    }

    @Test
    void neverReachedIsNull() {
        GrokEpochs g = GrokEpochs.of(history(new double[] {0.2, 0.9899}, new double[] {2.0, 0.10001}));
        assertNull(g.accuracy());
        assertNull(g.loss());
        assertNull(GrokEpochs.of(new History()).accuracy());
    }

    @Test
    void unevaluatedEpochsAreSkippedNotCounted() {
        double nan = Double.NaN;
        GrokEpochs g = GrokEpochs.of(history(new double[] {nan, nan, 1.0}, new double[] {nan, nan, 0.0}));
        assertEquals(2L, g.accuracy());
        assertEquals(2L, g.loss());
    }
}
