package io.jgrok.reliability;

import io.jgrok.UserError;
import io.jgrok.io.WriterLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock behind "one writer per run directory" on its own: exclusive between processes and within this one,
 * gone with a killed owner at once, never disturbed by readers, empty when free; and what it does where the OS lock
 * cannot be trusted (an owner recorded as still running, another host's fresh heartbeat, {@code JGROK_LOCKS=off}).
 */
class WriterLockTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream notices = new ByteArrayOutputStream();
    private final PrintStream noticeStream = new PrintStream(notices, true, StandardCharsets.UTF_8);

    private WriterLock acquire(Path file, WriterLock.Mode mode) {
        return WriterLock.acquire(file, "a test", mode, noticeStream);
    }

    @Test
    void oneHolderInThisProcessAndTheFileIsEmptyOnceFree() throws Exception {
        Path file = tmp.resolve(".jgrok.lock");
        assertTrue(WriterLock.liveOwner(file, WriterLock.Mode.ON).isEmpty());
        assertFalse(Files.exists(file), "a reader's question creates nothing");
        try (WriterLock lock = acquire(file, WriterLock.Mode.ON)) {
            String record = Files.readString(file);
            assertTrue(record.contains("\"pid\":" + ProcessHandle.current().pid()) && record.contains("a test"),
                    record);
            WriterLock.Busy busy = assertThrows(WriterLock.Busy.class, () -> acquire(file, WriterLock.Mode.ON));
            assertTrue(busy.owner().thisProcess());
            assertTrue(busy.getMessage().contains("a test, this process (pid " + ProcessHandle.current().pid() + ")"),
                    busy.getMessage());
            assertEquals(ProcessHandle.current().pid(), WriterLock.liveOwner(file, WriterLock.Mode.ON).orElseThrow()
                    .pid());
            assertTrue(lock.held());
        }
        assertEquals(0, Files.size(file), "emptied on release");
        assertTrue(WriterLock.liveOwner(file, WriterLock.Mode.ON).isEmpty());
        try (WriterLock again = acquire(file, WriterLock.Mode.ON)) {
            assertTrue(again.held());
        }
        assertEquals("", notices.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anotherProcessHoldsItUntilKilledAndThenItIsFreeAtOnce() throws Exception {
        Path file = tmp.resolve(".jgrok.lock");
        Process holder = ChildJvm.start(tmp, "holder", LockChild.class, "hold", file.toString(), "jgrok train");
        waitForLine(tmp.resolve("holder.out"), "locked", holder);

        WriterLock.Busy busy = assertThrows(WriterLock.Busy.class, () -> acquire(file, WriterLock.Mode.ON));
        assertEquals(holder.pid(), busy.owner().pid());
        assertEquals(WriterLock.host(), busy.owner().host());
        assertEquals("jgrok train", busy.owner().holder());
        assertFalse(busy.owner().thisProcess());
        assertTrue(busy.getMessage().contains("jgrok train, pid " + holder.pid() + " on host " + WriterLock.host()
                + ", since "), busy.getMessage());
        assertTrue(busy.owner().stopHint().contains("kill " + holder.pid()), busy.owner().stopHint());
        assertEquals(holder.pid(), WriterLock.liveOwner(file, WriterLock.Mode.ON).orElseThrow().pid());

        CliRun.kill(holder);
        // Its record is still in the file, but the kernel dropped the lock: taken over at once, with a note.
        assertTrue(Files.size(file) > 0);
        assertTrue(WriterLock.liveOwner(file, WriterLock.Mode.ON).isEmpty());
        try (WriterLock lock = acquire(file, WriterLock.Mode.ON)) {
            assertTrue(Files.readString(file).contains("\"pid\":" + ProcessHandle.current().pid()));
        }
        String note = notices.toString(StandardCharsets.UTF_8);
        assertTrue(note.startsWith("jgrok: note: taking over " + tmp + " from jgrok train, pid " + holder.pid())
                && note.strip().endsWith("which ended without letting go of it (killed or crashed)")
                && note.strip().lines().count() == 1, note);
    }

    @Test
    void readersNeverMakeAWriterFail() throws Exception {
        Path file = tmp.resolve(".jgrok.lock");
        Files.createFile(file);
        Process prober = ChildJvm.start(tmp, "prober", LockChild.class, "probe", file.toString(), "2000");
        waitForLine(tmp.resolve("prober.out"), "probing", prober);
        int rounds = 0;
        while (prober.isAlive()) {
            try (WriterLock lock = acquire(file, WriterLock.Mode.ON)) {
                rounds++;
            }
        }
        assertEquals(0, prober.waitFor());
        String out = Files.readString(tmp.resolve("prober.out"));
        long probes = Long.parseLong(out.substring(out.indexOf("probes ") + 7).strip());
        assertTrue(rounds > 20 && probes > 20, "a real contest: " + rounds + " acquisitions, " + probes + " probes");
    }

    @Test
    void aWriterWaitsOutAReaderCaughtMidProbe() throws Exception {
        Path file = tmp.resolve(".jgrok.lock");
        Files.createFile(file);
        // A reader holding its probe (a shared lock on byte 1) far longer than a real one ever does.
        Process reader = ChildJvm.start(tmp, "reader", LockChild.class, "pause", file.toString(), "800");
        waitForLine(tmp.resolve("reader.out"), "probing", reader);
        try (WriterLock lock = acquire(file, WriterLock.Mode.ON)) {
            assertTrue(lock.held(), "the writer got the lock once the reader let go");
        }
        assertEquals(0, reader.waitFor());
    }

    @Test
    void aRecordedOwnerThatStillRunsOnThisHostIsRefusedEvenWithoutOsLocks() throws Exception {
        Path file = tmp.resolve(".jgrok.lock");
        Process other = new ProcessBuilder("sleep", "600").start();
        try {
            String started = other.info().startInstant().orElseThrow().toString();
            Files.writeString(file, "{\"holder\":\"jgrok train\",\"pid\":" + other.pid() + ",\"host\":\""
                    + WriterLock.host() + "\",\"process_started\":\"" + started + "\",\"locked_at\":\"" + Instant.now()
                    + "\"}\n");
            // The OS grants the lock (nobody holds it) yet the owner runs: the lock cannot be trusted here.
            WriterLock.Busy busy = assertThrows(WriterLock.Busy.class, () -> acquire(file, WriterLock.Mode.ON));
            assertEquals(other.pid(), busy.owner().pid());
            assertTrue(busy.note().contains("this file system does not enforce file locks"), busy.getMessage());
            busy = assertThrows(WriterLock.Busy.class, () -> acquire(file, WriterLock.Mode.OFF));
            assertEquals(other.pid(), busy.owner().pid());
            assertEquals(other.pid(), WriterLock.liveOwner(file, WriterLock.Mode.OFF).orElseThrow().pid());
        } finally {
            other.destroyForcibly();
            other.waitFor(10, TimeUnit.SECONDS);
        }
        // Gone: the record is a dead process's, and the lock is taken.
        try (WriterLock lock = acquire(file, WriterLock.Mode.OFF)) {
            assertTrue(lock.held());
        }
        assertTrue(notices.toString(StandardCharsets.UTF_8).contains("JGROK_LOCKS=off"));
    }

    @Test
    void anotherHostsFreshHeartbeatWarnsWithOsLocksAndRefusesWithout() throws Exception {
        Path file = tmp.resolve(".jgrok.lock");
        String record = "{\"holder\":\"jgrok train\",\"pid\":4242,\"host\":\"elsewhere\",\"locked_at\":\"x\"}\n";
        Files.writeString(file, record);
        try (WriterLock lock = acquire(file, WriterLock.Mode.ON)) {
            assertTrue(lock.held());
        }
        String warning = notices.toString(StandardCharsets.UTF_8);
        assertTrue(warning.startsWith("jgrok: warning: " + file + " was last refreshed ") && warning.contains(
                "jgrok train, pid 4242 on host elsewhere") && warning.contains("do not reach across hosts"), warning);

        Files.writeString(file, record);
        WriterLock.Busy busy = assertThrows(WriterLock.Busy.class, () -> acquire(file, WriterLock.Mode.OFF));
        assertTrue(busy.getMessage().contains("its heartbeat is"), busy.getMessage());
        assertEquals("elsewhere", WriterLock.liveOwner(file, WriterLock.Mode.OFF).orElseThrow().host());

        // A heartbeat older than WriterLock.FRESH: that owner is gone.
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(WriterLock.FRESH.multipliedBy(2))));
        assertTrue(WriterLock.liveOwner(file, WriterLock.Mode.OFF).isEmpty());
        notices.reset();
        try (WriterLock lock = acquire(file, WriterLock.Mode.ON)) {
            assertTrue(lock.held());
        }
        assertTrue(notices.toString(StandardCharsets.UTF_8).startsWith("jgrok: note: taking over " + tmp
                + " from jgrok train, pid 4242 on host elsewhere"), notices.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theEnvironmentSwitchTakesOnOrOff() {
        assertEquals(WriterLock.Mode.ON, WriterLock.Mode.parse(null));
        assertEquals(WriterLock.Mode.ON, WriterLock.Mode.parse("on"));
        assertEquals(WriterLock.Mode.OFF, WriterLock.Mode.parse("OFF"));
        UserError e = assertThrows(UserError.class, () -> WriterLock.Mode.parse("maybe"));
        assertEquals("JGROK_LOCKS must be on or off, got 'maybe'", e.getMessage());
    }

    @Test
    void aLockFileThatCannotBeCreatedIsOneLine() throws Exception {
        Path notADirectory = tmp.resolve("file");
        Files.writeString(notADirectory, "x");
        UserError e = assertThrows(UserError.class, () -> acquire(notADirectory.resolve(".jgrok.lock"),
                WriterLock.Mode.ON));
        assertTrue(e.getMessage().startsWith("cannot create lock file " + notADirectory.resolve(".jgrok.lock")
                + ": "), e.getMessage());
    }

    private static void waitForLine(Path out, String prefix, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(out) || !Files.readString(out).startsWith(prefix)) {
            assertTrue(p.isAlive(), "child exited: " + Files.readString(out.resolveSibling(
                    out.getFileName().toString().replace(".out", ".err"))));
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + prefix);
            Thread.sleep(10);
        }
    }
}
