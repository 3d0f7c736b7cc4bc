package io.jgrok.reliability;

import io.jgrok.cli.Main;
import io.jgrok.io.RunDirectory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The jgrok CLI run in this JVM with its console captured, and the signals the one-writer tests send to children. */
final class CliRun {
    private CliRun() {
    }

    /** Exit status and console of one CLI run. */
    record Result(int code, String out, String err) {
        /** The one line on stderr that an error is (asserted to be one line). */
        String errorLine() {
            String[] lines = err.strip().split("\n");
            assertEquals(1, lines.length, "exactly one line on stderr: " + err);
            assertTrue(lines[0].startsWith("jgrok: error: "), err);
            return lines[0];
        }
    }

    static synchronized Result run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    /** Sends a signal by name (STOP, CONT, ...): a stopped process keeps its locks and does nothing. */
    static void signal(Process p, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + p.pid());
    }

    /** Waits until the run holds {@code count} checkpoints, the child still running. */
    static void waitForCheckpoints(Process p, RunDirectory dir, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (dir.checkpointFiles().size() < count) {
            if (!p.isAlive()) {
                fail("child exited (" + p.exitValue() + ") before writing " + count + " checkpoints in " + dir.root());
            }
            assertTrue(System.nanoTime() < deadline, "timed out waiting for checkpoints in " + dir.root());
            Thread.sleep(5);
        }
    }

    /** SIGKILLs a child and waits for it to be gone (its locks with it). */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not die");
        assertEquals(137, p.exitValue(), "the child must have been killed, not have finished");
    }

    static int exitOf(Process p) throws InterruptedException {
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child did not finish");
        return p.exitValue();
    }

    /** Arguments: {@code head}, then {@code tail}. */
    static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
