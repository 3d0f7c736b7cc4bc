package io.jgrok.analysis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The end of memorization is the minimum of the median-of-3 log10 excluded loss; a median of 3 turns a sharp minimum
 * into a tie of up to three checkpoints, which the raw curve breaks (lowest raw value, then the first). The curves
 * here never grok (flat test loss), so every checkpoint is a candidate.
 */
class MemorizationEndTieTest {
    private static Long memorizationEnd(double... log10Excluded) {
        int n = log10Excluded.length;
        long[] epochs = new long[n];
        double[] test = new double[n];
        double[] acc = new double[n];
        double[] excluded = new double[n];
        for (int i = 0; i < n; i++) {
            epochs[i] = 100L * i;
            test[i] = 4.0;
            excluded[i] = Math.pow(10, log10Excluded[i]);
        }
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(epochs, test, acc, excluded);
        assertNull(ph.circuitFormationEnd(), "a flat test loss has no circuit formation end");
        return ph.memorizationEnd();
    }

    @Test
    void aThreeWayTieGoesToTheLowestRawCheckpointEvenTwoAwayFromTheFirstTied() {
        // Medians: 5, 4, 2, 2, 2, 3, 6: checkpoints 2, 3 and 4 tie; the raw minimum (1) is at checkpoint 4.
        assertEquals(400L, memorizationEnd(5, 4, 2, 2, 1, 3, 6));
    }

    @Test
    void aNeighbourOutsideTheTieIsNotChosenForItsRawValue() {
        // Medians: 5, 2, 1, 2, 6: checkpoint 2 alone is the minimum, although checkpoint 1's raw value is lower.
        assertEquals(200L, memorizationEnd(5, 0.5, 2, 1, 6));
    }

    @Test
    void equalRawValuesInATieGoToTheFirst() {
        // Medians: 5, 3, 1, 1, 1, 6, 7: checkpoints 2..4 tie, and their raw values are all 1.
        assertEquals(200L, memorizationEnd(5, 3, 1, 1, 1, 6, 7));
    }

    @Test
    void aMinimumAtTheFirstCheckpointIsNoBoundary() {
        assertNull(memorizationEnd(0, 1, 2, 3, 4));
    }
}
