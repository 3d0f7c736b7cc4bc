package io.jgrok.torch;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Imported runs through analyze and figures, in both orientations (the demo's has no '=' logit): the report names
 * the file it came from (name, layout, orientation, sha256), and a history without test accuracies (the paper's
 * training file: one model, at its last epoch) gives a time to grok that says it is unknown, not "not reached".
 */
class ImportedRunReportTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "paper_training.pth, paper training file, paper, true",
        "tl_demo.pth, TransformerLens demo file, transformer-lens, false",
    })
    void theReportSaysWhereTheRunCameFrom(String name, String layout, String orientation, boolean noTestAccuracy)
            throws Exception {
        Path out = tmp.resolve("run");
        Path file = Fixtures.file(name);
        assertEquals(0, InProcessCli.run("import", file.toString(), "--out", out.toString(), "--quiet").code());
        InProcessCli.Result a = InProcessCli.run("analyze", out.toString(), "--device", "cpu", "--quiet");
        assertEquals(0, a.code(), a.err());
        InProcessCli.Result f = InProcessCli.run("figures", out.toString());
        assertEquals(0, f.code(), f.err());
        String report = Files.readString(new RunDirectory(out).report(), StandardCharsets.UTF_8);
        String sha = Importer.sha256(file);
        assertTrue(report.contains("Imported from <code>" + name + "</code> (" + layout + ", " + orientation
                + " orientation; sha256 " + sha + ")"), "import note in the report");
        assertEquals(noTestAccuracy, report.contains("unknown (the history has no test accuracy)"),
                "time to grok unknown exactly when no row has a test accuracy");
    }
}
