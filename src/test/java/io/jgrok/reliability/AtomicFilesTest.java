package io.jgrok.reliability;

import io.jgrok.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Atomic writes: no partial file is ever visible, whether the writer fails or the process is killed. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaries() throws Exception {
        Path f = tmp.resolve("data.json");
        AtomicFiles.writeString(f, "old content");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("old content", Files.readString(f));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void filesGetTheUsualPermissionsNotOwnerOnly() throws Exception {
        Path f = tmp.resolve("report.html");
        AtomicFiles.writeString(f, "<html></html>");
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(f);
        assertTrue(perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
                || perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ), perms.toString());
    }

    @Test
    void killingTheWriterAtRandomMomentsNeverLeavesAPartialFile() throws Exception {
        Path f = tmp.resolve("big.bin");
        Random rnd = new Random(11);
        long lastGeneration = -1;
        for (int round = 0; round < 4; round++) {
            Process child = ChildJvm.start(tmp, "writer" + round, AtomicWriteChild.class, f.toString());
            // Let it complete a few generations, then kill it at a random point of a write.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.readAllLines(tmp.resolve("writer" + round + ".out")).size() < 2) {
                assertTrue(child.isAlive() && System.nanoTime() < deadline, "writer did not get going");
                Thread.sleep(5);
            }
            Thread.sleep(rnd.nextInt(40));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            long g = AtomicWriteChild.generationOf(Files.readAllBytes(f));
            assertTrue(g >= 0, "the file is one complete generation after a kill in round " + round);
            assertArrayEquals(AtomicWriteChild.content(g), Files.readAllBytes(f));
            lastGeneration = g;
        }
        assertTrue(lastGeneration >= 1);
        // Temporaries of killed writes may remain; they are hidden and recognisable, never the target's name.
        try (Stream<Path> s = Files.list(tmp)) {
            s.filter(p -> p.getFileName().toString().contains("big.bin") && !p.equals(f))
                    .forEach(p -> assertTrue(AtomicFiles.isTemporary(p), p.toString()));
        }
    }

    @Test
    void staleTemporariesAreRemovedAndLiveOnesKept() throws Exception {
        Path dir = tmp.resolve("stale");
        Files.createDirectories(dir);
        // A pid that cannot be running (above Linux's pid_max of 2^22), as a killed writer leaves it.
        Path dead = dir.resolve(".checkpoint_epoch_5.safetensors.tmp-99999999-1a2b");
        Path live = dir.resolve(".training_history.json.tmp-" + ProcessHandle.current().pid() + "-3c4d");
        Path foreign = dir.resolve(".notes.tmp-mine");
        Path kept = dir.resolve("checkpoint_epoch_4.safetensors");
        for (Path f : new Path[] {dead, live, foreign, kept}) {
            Files.writeString(f, "x");
        }
        assertEquals(1, AtomicFiles.removeStaleTemporaries(dir));
        assertTrue(Files.notExists(dead), "the dead writer's temporary is gone");
        assertTrue(Files.exists(live) && Files.exists(foreign) && Files.exists(kept), "everything else stays");
        assertEquals(0, AtomicFiles.removeStaleTemporaries(tmp.resolve("missing")));
    }
}
