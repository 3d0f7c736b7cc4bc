package io.jgrok.figures;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Placing axis labels apart: no overlaps, least movement, inside the allowed range. */
class LabelSpreaderTest {
    @Test
    void labelsAlreadyApartStayWhereTheyAre() {
        double[] want = {0, 20, 45, 100};
        assertArrayEquals(want, LabelSpreader.spread(want, 10, -100, 200), 0);
    }

    @Test
    void twoOverlappingLabelsMoveApartSymmetrically() {
        // cos k and sin k one cell (7 px) apart with 14 px labels: each moves 3.5 px away from the other.
        double[] at = LabelSpreader.spread(new double[] {100, 107}, 14, 0, 1000);
        assertEquals(96.5, at[0], 1e-12);
        assertEquals(110.5, at[1], 1e-12);
    }

    @Test
    void aGroupKeepsTheMeanOfItsWantedPositions() {
        double[] want = {50, 51, 52, 53, 54};
        double[] at = LabelSpreader.spread(want, 10, 0, 1000);
        assertArrayEquals(new double[] {32, 42, 52, 62, 72}, at, 1e-12);
    }

    @Test
    void groupsThatGrowIntoEachOtherMerge() {
        double[] at = LabelSpreader.spread(new double[] {10, 12, 30, 32}, 10, 0, 1000);
        // Pairs at 6/16 and 26/36 would overlap (16 + 10 > 26): one group of four centred on the mean.
        assertArrayEquals(new double[] {6, 16, 26, 36}, at, 1e-12);
        double[] merged = LabelSpreader.spread(new double[] {10, 12, 20, 22}, 10, 0, 1000);
        assertArrayEquals(new double[] {1, 11, 21, 31}, merged, 1e-12);
    }

    @Test
    void labelsStayInsideTheRange() {
        double[] at = LabelSpreader.spread(new double[] {0, 1, 2}, 10, 0, 100);
        assertArrayEquals(new double[] {0, 10, 20}, at, 1e-12);
        double[] high = LabelSpreader.spread(new double[] {99, 100}, 10, 0, 100);
        assertArrayEquals(new double[] {90, 100}, high, 1e-12);
    }

    @Test
    void randomInputsNeverOverlapAndKeepTheirOrder() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int n = 1 + rnd.nextInt(20);
            double[] want = new double[n];
            for (int i = 0; i < n; i++) {
                want[i] = rnd.nextDouble() * 400;
            }
            java.util.Arrays.sort(want);
            double gap = 5 + rnd.nextDouble() * 15;
            double[] at = LabelSpreader.spread(want, gap, 0, 400);
            for (int i = 1; i < n; i++) {
                assertTrue(at[i] - at[i - 1] >= gap - 1e-9, "overlap in trial " + trial);
            }
            if ((n - 1) * gap <= 400) {
                assertTrue(at[0] >= -1e-9 && at[n - 1] <= 400 + 1e-9, "out of range in trial " + trial);
            }
        }
    }
}
