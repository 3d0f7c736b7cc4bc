package io.jgrok.reliability;

import io.jgrok.io.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the one-writer tests do to their child processes: signals, waiting for checkpoints, SIGKILL. */
final class CliRun {
    private CliRun() {
    }

    /**
     * Sends a signal by name (STOP, CONT, ...): a stopped process keeps its locks and does nothing. For STOP this
     * returns only once every thread of the process is stopped: kill returns when the signal is sent, and a thread
     * inside a system call (a checkpoint writer in open or fsync) finishes that call first, so a file could still
     * appear after kill returned.
     */
    static void signal(Process p, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " " + p.pid());
        if (name.equals("STOP")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!allThreadsStopped(p.pid())) {
                assertTrue(System.nanoTime() < deadline, "pid " + p.pid() + " did not stop");
                Thread.sleep(2);
            }
        }
    }

    /** Whether every thread of {@code pid} is stopped (state T or t in /proc/PID/task/TID/stat). */
    static boolean allThreadsStopped(long pid) throws IOException {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> s = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) s::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue;  // a thread that has just ended
                }
                char state = stat.substring(stat.lastIndexOf(')') + 1).strip().charAt(0);
                if (state != 'T' && state != 't') {
                    return false;
                }
            }
        }
        return true;
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
