package io.jgrok.reliability;

import io.jgrok.cli.Main;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run killed with SIGKILL (twice, at random moments) and resumed ends bit-identical to the same run never
 * interrupted: every checkpoint's weights and optimiser state, and the history file, byte for byte. A run stopped
 * with SIGTERM writes a checkpoint of its last finished epoch, says how to resume, and also ends identical.
 */
class KillAndResumeTest {
    private static final String[] RUN = {"train", "--p", "23", "--d_model", "32", "--n_heads", "4", "--d_mlp", "64",
        "--n_epochs", "1500", "--checkpoint_every", "50", "--threads", "2", "--device", "cpu", "--quiet"};

    @TempDir
    Path tmp;

    private static String[] run(Path out, String... extra) {
        String[] args = new String[RUN.length + 2 + extra.length];
        System.arraycopy(RUN, 0, args, 0, RUN.length);
        args[RUN.length] = "--out";
        args[RUN.length + 1] = out.toString();
        System.arraycopy(extra, 0, args, RUN.length + 2, extra.length);
        return args;
    }

    @Test
    void sigkillAtRandomMomentsThenResumeIsBitIdentical() throws Exception {
        Path reference = tmp.resolve("reference");
        assertEquals(0, Main.run(run(reference)));

        Path killed = tmp.resolve("killed");
        Random rnd = new Random(2024);
        Process first = ChildJvm.jgrok(tmp, "first", run(killed));
        killAfterCheckpoints(first, new RunDirectory(killed), 2, rnd);
        Process second = ChildJvm.jgrok(tmp, "second", "train", "--resume", killed.toString(), "--quiet");
        killAfterCheckpoints(second, new RunDirectory(killed), new RunDirectory(killed).checkpointFiles().size() + 3,
                rnd);
        assertEquals(0, Main.run(new String[] {"train", "--resume", killed.toString(), "--quiet"}));

        assertSameRun(new RunDirectory(reference), new RunDirectory(killed));
    }

    @Test
    void sigtermWritesACheckpointAndSaysHowToResume() throws Exception {
        Path reference = tmp.resolve("reference");
        assertEquals(0, Main.run(run(reference)));
        Path stopped = tmp.resolve("stopped");
        Process child = ChildJvm.jgrok(tmp, "term", run(stopped));
        RunDirectory dir = new RunDirectory(stopped);
        waitForCheckpoints(child, dir, 3);
        child.destroy(); // SIGTERM
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not stop after SIGTERM");
        assertEquals(143, child.exitValue(), "exit status of a JVM ended by SIGTERM");
        String err = Files.readString(tmp.resolve("term.err"));
        assertTrue(err.contains("Resume with: ./jgrok train --resume " + stopped), err);
        // The checkpoint written on the way out is of the last finished epoch, usually not a multiple of 50.
        long last = Checkpoints.epochOf(dir.checkpointFiles().get(dir.checkpointFiles().size() - 1));
        assertTrue(err.contains("stopped after epoch " + last), err);
        assertEquals(0, Main.run(new String[] {"train", "--resume", stopped.toString(), "--quiet"}));
        assertSameRun(new RunDirectory(reference), dir);
    }

    private static void waitForCheckpoints(Process p, RunDirectory dir, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (dir.checkpointFiles().size() < count) {
            assertTrue(p.isAlive(), "child exited before writing " + count + " checkpoints");
            assertTrue(System.nanoTime() < deadline, "timed out waiting for checkpoints");
            Thread.sleep(5);
        }
    }

    private static void killAfterCheckpoints(Process p, RunDirectory dir, int count, Random rnd)
            throws InterruptedException {
        waitForCheckpoints(p, dir, count);
        Thread.sleep(rnd.nextInt(150));
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "the child must have been killed, not have finished");
    }

    static void assertSameRun(RunDirectory expected, RunDirectory actual) throws Exception {
        String want = Files.readString(expected.history());
        String got = Files.readString(actual.history());
        if (!want.equals(got)) {
            int i = 0;
            while (i < Math.min(want.length(), got.length()) && want.charAt(i) == got.charAt(i)) {
                i++;
            }
            String context = want.substring(Math.max(0, i - 60), Math.min(want.length(), i + 20));
            org.junit.jupiter.api.Assertions.fail("history differs at character " + i + ", near: ..." + context);
        }
        List<Path> wantFiles = expected.checkpointFiles();
        assertTrue(wantFiles.size() > 3);
        for (Path w : wantFiles) {
            Path a = actual.checkpoints().resolve(w.getFileName());
            assertTrue(Files.exists(a), "missing " + a.getFileName());
            TrainingState s = Checkpoints.read(w).state();
            TrainingState t = Checkpoints.read(a).state();
            assertEquals(s.step(), t.step());
            assertArrayEquals(bits(s.params()), bits(t.params()), "weights of " + w.getFileName());
            assertArrayEquals(bits(s.adamM()), bits(t.adamM()), "exp_avg of " + w.getFileName());
            assertArrayEquals(bits(s.adamV()), bits(t.adamV()), "exp_avg_sq of " + w.getFileName());
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
