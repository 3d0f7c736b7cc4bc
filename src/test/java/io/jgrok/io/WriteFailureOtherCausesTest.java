package io.jgrok.io;

import org.junit.jupiter.api.Test;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A write that fails for a reason of its own (no such directory, permission denied) on a file system that has no
 * space to speak of (/proc: total and usable space 0) is not "the disk is full": that would send the user off to
 * free space, and make export and import exit 4 instead of 2 (bad --out).
 */
class WriteFailureOtherCausesTest {
    @Test
    void procIsNotAFullDisk() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
        Path f = Path.of("/proc/jgrok-write-failure-test/x.pth");
        assertFalse(WriteFailure.diskFull(f, new NoSuchFileException(f.toString())));
        assertFalse(WriteFailure.diskFull(f, new java.io.IOException("Invalid argument")), "/proc holds no space");
        assertFalse(new WriteFailure(f, new AccessDeniedException(f.toString())).diskFull());
    }
}
