package io.jgrok.torch;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where {@code ./jgrok import --out} may not write: onto a file, below a file, into a directory that holds files
 * of a run's names without being a run. One line, exit code 2, checked before the file is read, and nothing
 * written: what was there stays as it was, and no temporary is left beside it.
 */
class ImportTargetTest {
    @TempDir
    Path tmp;

    private void assertRefused(Path out, String expected) throws Exception {
        InProcessCli.Result r = InProcessCli.run("import", Fixtures.file("state_dict_tl.pt").toString(), "--out",
                out.toString(), "--quiet");
        assertEquals(2, r.code(), "exit code; stderr: " + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains(expected), "expected '" + expected + "' in: " + lines[0]);
        assertFalse(r.out().contains("jgrok import:"), "refused before reading the file: " + r.out());
        try (Stream<Path> s = Files.walk(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList(),
                    "no temporary left");
        }
    }

    @Test
    void anExistingFileIsNotADirectory() throws Exception {
        Path file = tmp.resolve("notes.txt");
        Files.writeString(file, "mine\n");
        assertRefused(file, "is a file, not a directory");
        assertEquals("mine\n", Files.readString(file));
        assertRefused(file.resolve("run"), "is a file, not a directory");
    }

    @Test
    void aDirectoryWithSomeOfARunsNamesIsLeftAlone() throws Exception {
        Path dir = tmp.resolve("mine");
        Files.createDirectories(dir.resolve("logs"));
        Files.writeString(dir.resolve("logs/notes.txt"), "mine\n");
        Files.writeString(dir.resolve("other.txt"), "mine too\n");
        assertRefused(dir, "logs");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("logs", "other.txt"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing moved in");
        }
        assertEquals("mine\n", Files.readString(dir.resolve("logs/notes.txt")));
    }

    @Test
    void aPlaceThatCannotBeWrittenSaysWhy() throws Exception {
        // /proc takes no new directories (even for root, who may write anywhere else).
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
        assertRefused(Path.of("/proc/jgrok-import-test/run"), "no such file or directory (/proc takes no new entries) on "
                + "/proc/jgrok-import-test");
    }

    @Test
    void aDirectoryWithOtherFilesTakesTheRun() {
        Path dir = tmp.resolve("shared");
        Path keep = dir.resolve("README.txt");
        try {
            Files.createDirectories(dir);
            Files.writeString(keep, "mine\n");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        InProcessCli.Result r = InProcessCli.run("import", Fixtures.file("state_dict_tl.pt").toString(), "--out",
                dir.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(dir.resolve("config.json")));
        assertTrue(Files.exists(keep), "the directory's own files stay");
    }
}
