package io.jgrok.data;

import io.jgrok.UserError;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paper's split, bit for bit, and the CPython generator under it (values printed by CPython 3.11). */
class SplitTest {

    @Test
    void getrandbitsMatchesCPythonForSeveralSeeds() {
        PythonRandom r0 = new PythonRandom(0);
        long[] expected0 = {3626764237L, 1654615998L, 3255389356L, 3823568514L, 1806341205L};
        for (long e : expected0) {
            assertEquals(e, r0.getrandbits(32));
        }
        // A seed wider than 32 bits becomes a two-word key; negative seeds use |seed|.
        PythonRandom big = new PythonRandom(12345678901234L);
        for (long e : new long[] {107551873L, 2403399316L, 624174316L}) {
            assertEquals(e, big.getrandbits(32));
        }
        PythonRandom neg = new PythonRandom(-7);
        for (long e : new long[] {1390851128L, 4071050724L, 647892279L}) {
            assertEquals(e, neg.getrandbits(32));
        }
    }

    @Test
    void randbelowAndShuffleMatchCPython() {
        PythonRandom r = new PythonRandom(42);
        int[] expected = {654, 114, 25, 759, 281};
        for (int e : expected) {
            assertEquals(e, r.randbelow(1000));
        }
        int[] x = new int[20];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        new PythonRandom(3).shuffle(x);
        assertArrayEquals(new int[] {8, 3, 6, 5, 15, 16, 2, 12, 0, 1, 13, 10, 19, 9, 14, 11, 4, 17, 18, 7}, x);
    }

    @Test
    void paperSplitReproducesTheCheckValues() {
        RunConfig config = Preset.PAPER.defaults();
        Split split = Split.of(config);
        int p = 113;
        assertEquals(3830, split.trainSize());
        assertEquals(8939, split.testSize());
        int[][] firstTen = {{18, 34}, {10, 83}, {55, 28}, {25, 51}, {63, 65}, {14, 104}, {27, 56}, {35, 77},
            {41, 72}, {17, 111}};
        int[] train = split.train();
        for (int i = 0; i < firstTen.length; i++) {
            assertEquals(firstTen[i][0] * p + firstTen[i][1], train[i], "train pair " + i);
        }
        assertEquals(65 * p + 24, train[train.length - 1]);
        assertEquals(50 * p + 67, split.test()[0]);
        long sum = 0;
        for (int idx : train) {
            sum += idx;
        }
        assertEquals(24_672_933L, sum);
    }

    @Test
    void trainAndTestPartitionAllPairs() {
        Split split = Split.of(Preset.PAPER.defaults());
        Set<Integer> all = new HashSet<>();
        for (int i : split.train()) {
            assertTrue(all.add(i));
        }
        for (int i : split.test()) {
            assertTrue(all.add(i));
        }
        assertEquals(113 * 113, all.size());
    }

    @Test
    void labelsAreTheModularSum() {
        int p = 113;
        assertEquals((18 + 34) % p, Split.label(18 * p + 34, p));
        assertEquals((112 + 112) % p, Split.label(112 * p + 112, p));
        assertEquals(0, Split.label(0, p));
    }

    @Test
    void explicitTrainIndicesAreValidated() {
        UserError range = assertThrows(UserError.class, () -> Split.fromTrainIndices(5, new int[] {1, 25}, "f"));
        assertTrue(range.getMessage().contains("out of range"), range.getMessage());
        UserError dup = assertThrows(UserError.class, () -> Split.fromTrainIndices(5, new int[] {3, 3}, "f"));
        assertTrue(dup.getMessage().contains("more than once"), dup.getMessage());
        Split ok = Split.fromTrainIndices(5, new int[] {7, 2}, "f");
        assertArrayEquals(new int[] {7, 2}, ok.train());
        int[] test = ok.test();
        assertEquals(23, test.length);
        assertTrue(Arrays.stream(test).noneMatch(i -> i == 7 || i == 2));
    }
}
