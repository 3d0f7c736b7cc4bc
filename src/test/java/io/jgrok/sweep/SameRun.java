package io.jgrok.sweep;

import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.model.TrainingState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Asserts that two run directories hold the same run: config, split and history text, and every checkpoint of the
 * expected run bit for bit in the actual one.
 */
final class SameRun {
    private SameRun() {
    }

    static void assertSameRun(RunDirectory expected, RunDirectory actual) throws Exception {
        String want = Files.readString(expected.history());
        String got = Files.readString(actual.history());
        if (!want.equals(got)) {
            int i = 0;
            while (i < Math.min(want.length(), got.length()) && want.charAt(i) == got.charAt(i)) {
                i++;
            }
            fail(actual.root() + ": history differs from " + expected.root() + " at character " + i + ", near: ..."
                    + want.substring(Math.max(0, i - 60), Math.min(want.length(), i + 20)));
        }
        assertEquals(Files.readString(expected.config()), Files.readString(actual.config()), "config.json");
        assertEquals(Files.readString(expected.split()), Files.readString(actual.split()), "split.json");
        List<Path> wantFiles = expected.checkpointFiles();
        assertTrue(wantFiles.size() >= 2, "reference has checkpoints");
        // A run stopped by SIGTERM also holds the checkpoint it wrote on the way out; every regular one must match.
        for (Path w : wantFiles) {
            Path a = actual.checkpoints().resolve(w.getFileName());
            assertTrue(Files.exists(a), "missing " + a);
            TrainingState s = Checkpoints.read(w).state();
            TrainingState t = Checkpoints.read(a).state();
            assertEquals(s.step(), t.step());
            assertArrayEquals(bits(s.params()), bits(t.params()), "weights of " + a);
            assertArrayEquals(bits(s.adamM()), bits(t.adamM()), "exp_avg of " + a);
            assertArrayEquals(bits(s.adamV()), bits(t.adamV()), "exp_avg_sq of " + a);
            assertEquals(s.grokfast().length, t.grokfast().length, "Grokfast buffers of " + a);
            for (int i = 0; i < s.grokfast().length; i++) {
                assertArrayEquals(bits(s.grokfast()[i]), bits(t.grokfast()[i]), "Grokfast state of " + a);
            }
        }
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }
}
