package io.jgrok.torch;

import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An imported run through analyze and figures: the report names the file it came from (name, layout, orientation,
 * sha256), and a history without test accuracies (one model, at the file's last epoch) gives a time to grok that
 * says it is unknown rather than "not reached".
 */
class ImportedRunReportTest {
    @TempDir
    Path tmp;

    @Test
    void theReportSaysWhereTheRunCameFrom() throws Exception {
        Path out = tmp.resolve("run");
        Path file = Fixtures.file("paper_training.pth");
        assertEquals(0, Fixtures.run("import", file.toString(), "--out", out.toString(), "--quiet").code());
        Fixtures.Cli a = Fixtures.run("analyze", out.toString(), "--device", "cpu", "--quiet");
        assertEquals(0, a.code(), a.err());
        Fixtures.Cli f = Fixtures.run("figures", out.toString());
        assertEquals(0, f.code(), f.err());
        String report = Files.readString(new RunDirectory(out).report(), StandardCharsets.UTF_8);
        String sha = Importer.sha256(file);
        assertTrue(report.contains("Imported from <code>paper_training.pth</code> (paper training file, paper "
                + "orientation; sha256 " + sha + ")"), "import note in the report");
        assertTrue(report.contains("unknown (the history has no test accuracy)"), "time to grok unknown");
    }
}
