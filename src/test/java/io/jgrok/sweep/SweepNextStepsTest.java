package io.jgrok.sweep;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A finished sweep says what to run next, and its report lists every run in a table. */
class SweepNextStepsTest {
    @TempDir
    Path tmp;

    @Test
    void aFinishedSweepPointsToItsFiguresAndTheReportTablesItsRuns() throws Exception {
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, "{\"p\": 7, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 8, \"n_epochs\": 40, "
                + "\"checkpoint_every\": 20, \"seeds\": \"1..2\", \"weight_decay\": [0.5, 1], \"analysis\": \"none\"}");
        Path dir = tmp.resolve("sweep");
        InProcessCli.Result sweep = InProcessCli.run("sweep", spec.toString(), "--out", dir.toString(), "--quiet");
        InProcessCli.Result figures = InProcessCli.run("figures", dir.toString());
        assertEquals(0, figures.code(), figures.err());
        String text = sweep.out();
        assertEquals(0, sweep.code(), text);
        assertTrue(text.contains("next: ./jgrok figures " + dir + " draws the sweep figures"), text);
        String report = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
        assertTrue(report.contains("<table class=\"runs\">"), "a table of runs");
        for (String run : new String[] {"seed1-wd0.5", "seed1-wd1", "seed2-wd0.5", "seed2-wd1"}) {
            assertTrue(report.contains("<tr><td>" + run + "</td><td>done</td>"), run + " in the table");
        }
        assertTrue(report.contains("<th>weight_decay</th>") && report.contains("<th>grokked (acc)</th>"), report);
    }
}
