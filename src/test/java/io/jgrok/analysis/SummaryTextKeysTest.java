package io.jgrok.analysis;

import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * analyze's table names the rule that gave the key frequencies: when no neuron is clustered the default rule hands
 * over to the notebook's, and the row must not say "clustered rule" beside the notebook's frequencies.
 */
class SummaryTextKeysTest {
    @Test
    void aFallbackIsNamedAsTheNotebooksRule(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, io.jgrok.cli.Main.run(new String[] {"train", "--p", "11", "--d_model", "16", "--n_heads", "2",
            "--d_mlp", "32", "--n_epochs", "12", "--checkpoint_every", "6", "--device", "cpu", "--threads", "1",
            "--out", run.toString(), "--quiet"}));
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        AnalysisResults r = Analyzer.run(new RunDirectory(run), new Analyzer.Options(null, "cpu", 1, false, sink,
                sink, KeyFrequencyRule.CLUSTERED, "auto"));
        assertTrue(r.fin().keys().fallback(), "12 epochs cluster no neuron");
        String text = SummaryText.of(r);
        assertTrue(text.contains("key frequencies (notebook rule: no neuron clustered)"), text);
        assertFalse(text.contains("(clustered rule)"), text);
        assertFalse(text.contains("would give"), "the other rules give the same or nothing:\n" + text);
    }
}
