package io.jgrok.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failed atomic write names its file and says whether the disk is full, leaves the old file as it was and no
 * temporary behind. The faults are injected through the writer (a stream that fails as a full disk does); the real
 * kernel's ENOSPC is DiskFullTest's.
 */
class WriteFailureTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskIsRecognisedByTheSystemsWords() {
        Path f = tmp.resolve("x");
        assertTrue(WriteFailure.diskFull(f, new IOException("No space left on device")));
        assertTrue(WriteFailure.diskFull(f, new FileSystemException(f.toString(), null, "Disk quota exceeded")));
        assertTrue(WriteFailure.diskFull(f, new IOException("wrapped", new IOException("No space left on device"))));
        assertFalse(WriteFailure.diskFull(f, new IOException("Input/output error")), "this disk has room");
    }

    @Test
    void aWriteThatFailsMidwayLeavesTheOldFileAndNoTemporary() throws Exception {
        Path target = tmp.resolve("history.json");
        AtomicFiles.writeString(target, "old");
        WriteFailure e = assertThrows(WriteFailure.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals(target, e.file());
        assertTrue(e.diskFull());
        assertEquals("No space left on device", e.systemReason());
        assertEquals(target + ": the disk is full (No space left on device)", e.getMessage());
        assertEquals("the disk is full: cannot write " + target + " (No space left on device)",
                WriteError.describe(e, tmp));
        assertEquals("old", Files.readString(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "only the target: the temporary was deleted");
        }
    }

    @Test
    void otherFailuresNameTheFileAndTheSystemsReason() throws Exception {
        Path notADirectory = tmp.resolve("file");
        Files.writeString(notADirectory, "x");
        Path target = notADirectory.resolve("config.json");
        WriteFailure e = assertThrows(WriteFailure.class, () -> AtomicFiles.writeString(target, "{}"));
        assertEquals(target, e.file());
        assertFalse(e.diskFull());
        assertEquals("cannot write " + target + ": " + e.systemReason(), WriteError.describe(e, tmp));
        assertFalse(e.systemReason().isBlank());
    }

    @Test
    void aWriteErrorHasItsOwnExitStatus() {
        WriteError e = new WriteError("the disk is full: ...", "the disk is full: ...; free some space", null);
        assertEquals(4, e.exitCode());
        assertEquals(2, new io.jgrok.UserError("bad flag").exitCode());
    }
}
