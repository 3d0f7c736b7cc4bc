package io.jgrok.torch;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where {@code ./jgrok export --out} cannot write: tl-demo onto a directory, pt onto a file, below a file, into a
 * place that takes no files; and a "run directory" that is a file. Each is one line saying what is wrong (not
 * Java's bare path), exit code 2, and leaves what was there as it was.
 */
class ExportTargetTest {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void importOne() {
        run = tmp.resolve("run");
        InProcessCli.Result r = InProcessCli.run("import", Fixtures.file("state_dict_tl.pt").toString(), "--out",
                run.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
    }

    private static void assertRefused(String expected, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "export";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--quiet";
        InProcessCli.Result r = InProcessCli.run(all);
        assertEquals(2, r.code(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains(expected), "expected '" + expected + "' in: " + lines[0]);
    }

    @Test
    void aDemoFileOntoADirectoryIsRefusedEvenWithForce() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a-directory"));
        Files.writeString(dir.resolve("mine.txt"), "mine\n");
        assertRefused("is a directory; --format tl-demo writes one file", run.toString(), "--format", "tl-demo",
                "--out", dir.toString(), "--force");
        assertEquals("mine\n", Files.readString(dir.resolve("mine.txt")));
    }

    @Test
    void stateDictsOntoAFileAreRefused() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "mine\n");
        assertRefused("is a file; --format pt writes a directory", run.toString(), "--format", "pt", "--out",
                file.toString());
        assertRefused(file + " is a file, not a directory", run.toString(), "--format", "tl-demo", "--out",
                file.resolve("x.pth").toString());
        assertEquals("mine\n", Files.readString(file));
        assertRefused("run directory " + file + " is a file, not a directory", file.toString(), "--format", "pt",
                "--out", tmp.resolve("pt").toString());
        assertFalse(Files.exists(tmp.resolve("pt")));
    }

    @Test
    void aPlaceThatTakesNoFilesSaysWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
        assertRefused("no such file or directory", run.toString(), "--format", "tl-demo", "--out",
                "/proc/jgrok-export-test/x.pth");
        assertRefused("no such file or directory", run.toString(), "--format", "pt", "--out",
                "/proc/jgrok-export-test/pt");
    }
}
