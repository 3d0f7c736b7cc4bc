package io.jgrok.torch;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same run exported twice gives the same bytes, wherever the run lies (the writer fixes entry times; the file
 * holds nothing of the machine it was written on), so exports can be compared and shared by checksum.
 */
class ExportBytesTest {
    @TempDir
    Path tmp;

    @Test
    void theSameRunGivesTheSameFileWhereverItLies() throws Exception {
        Path run = tmp.resolve("here/run");
        InProcessCli.Result r = InProcessCli.run("import", Fixtures.file("tl_demo.pth").toString(), "--out",
                run.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        Path moved = tmp.resolve("elsewhere/copied-run");
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : s.toList()) {
                Path target = moved.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Path a = tmp.resolve("a.pth");
        Path b = tmp.resolve("b.pth");
        assertEquals(0, InProcessCli.run("export", run.toString(), "--format", "tl-demo", "--out", a.toString(),
                "--quiet").code());
        assertEquals(0, InProcessCli.run("export", moved.toString(), "--format", "tl-demo", "--out", b.toString(),
                "--quiet").code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }
}
