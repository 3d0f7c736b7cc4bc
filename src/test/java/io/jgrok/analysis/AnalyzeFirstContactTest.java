package io.jgrok.analysis;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jgrok.TestConfigs;
import io.jgrok.UserError;
import io.jgrok.cli.Main;
import io.jgrok.config.RunConfig;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a first user of {@code jgrok analyze} meets: absent phase boundaries written as nulls, damaged checkpoints
 * skipped with a notice, a warning for a model that has not generalised, and a summary table whose columns line up.
 */
class AnalyzeFirstContactTest {
    static final RunConfig CONFIG = TestConfigs.small(37, 32, 4, 64);

    @TempDir
    Path tmp;

    /** Checkpoints 0, 100, ..., 100 (n - 1) from the random init to a model that computes with frequencies 5, 17. */
    RunDirectory run(int n) throws Exception {
        return RunDirs.interpolated(tmp.resolve("run"), CONFIG, SyntheticFourierModel.build(CONFIG, new int[] {5, 17},
                1000), n, 100);
    }

    static Analyzer.Options options(Long checkpoint, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return new Analyzer.Options(checkpoint, "cpu", 1, false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    static JsonObject summary(RunDirectory dir) throws Exception {
        return new Gson().fromJson(Files.readString(dir.analysis().resolve(AnalysisFiles.SUMMARY)), JsonObject.class);
    }

    static void truncate(Path file) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
    }

    @Test
    void absentPhaseBoundariesAreNullKeysInSummaryJson() throws Exception {
        RunDirectory dir = run(3);
        AnalysisResults r = Analyzer.run(dir, options(null, new ByteArrayOutputStream(), new ByteArrayOutputStream()));
        JsonObject phases = summary(dir).getAsJsonObject("phases");
        Long[] found = {r.phases().memorizationEnd(), r.phases().circuitFormationEnd(), r.phases().cleanupEnd()};
        assertTrue(java.util.Arrays.asList(found).contains(null), "three checkpoints leave a boundary undefined");
        String[] keys = {"memorization_end", "circuit_formation_end", "cleanup_end"};
        for (int i = 0; i < keys.length; i++) {
            assertTrue(phases.has(keys[i]), keys[i] + " is missing from " + phases);
            JsonElement e = phases.get(keys[i]);
            if (found[i] == null) {
                assertTrue(e.isJsonNull(), keys[i] + ": " + e);
            } else {
                assertEquals(found[i].longValue(), e.getAsLong());
            }
        }
    }

    @Test
    void damagedCheckpointsAreSkippedWithANoticeNamingEach() throws Exception {
        RunDirectory dir = run(5);
        truncate(dir.checkpoint(400));
        truncate(dir.checkpoint(100));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AnalysisResults chosen = Analyzer.run(dir, options(300L, new ByteArrayOutputStream(), err));
        assertEquals(300, chosen.fin().epoch());
        assertEquals(List.of(0L, 200L, 300L), chosen.progress().stream().map(ProgressMeasures.Row::epoch).toList());
        String notices = err.toString(StandardCharsets.UTF_8);
        assertTrue(notices.contains("checkpoint_epoch_400.safetensors") && notices.contains("checkpoint_epoch_100"
                + ".safetensors") && notices.contains("skipping damaged checkpoint"), notices);
        List<String> warnings = summary(dir).getAsJsonArray("warnings").asList().stream()
                .map(JsonElement::getAsString).toList();
        assertEquals(2, warnings.stream().filter(w -> w.startsWith("skipped damaged checkpoint")).count(),
                warnings.toString());

        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        AnalysisResults newest = Analyzer.run(dir, options(null, new ByteArrayOutputStream(), err2));
        assertEquals(300, newest.fin().epoch(), "the newest intact checkpoint");
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("analysing the newest intact checkpoint, "
                + "checkpoint_epoch_300.safetensors"), err2.toString(StandardCharsets.UTF_8));
    }

    @Test
    void askingForADamagedCheckpointSaysWhatToDoInstead() throws Exception {
        RunDirectory dir = run(5);
        truncate(dir.checkpoint(200));
        truncate(dir.checkpoint(300));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        UserError e = assertThrows(UserError.class, () -> Analyzer.run(dir, options(200L, sink, sink)));
        assertTrue(e.getMessage().contains("checkpoint_epoch_200.safetensors is truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("(--checkpoint 100 or --checkpoint 400)"), e.getMessage());
        assertTrue(e.getMessage().contains("leave out --checkpoint"), e.getMessage());
        assertEquals(2, Main.run(new String[] {"analyze", dir.root().toString(), "--checkpoint", "300", "--quiet",
                "--device", "cpu"}));
    }

    @Test
    void aModelThatHasNotGeneralisedIsWarnedAbout() throws Exception {
        RunDirectory dir = run(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AnalysisResults init = Analyzer.run(dir, options(0L, out, new ByteArrayOutputStream()));
        assertTrue(init.fin().logits().accuracyTest() < 0.2, "random init: " + init.fin().logits().accuracyTest());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("warning: test accuracy is ") && text.contains("has not generalised"), text);
        assertTrue(summary(dir).getAsJsonArray("warnings").toString().contains("has not generalised"));

        AnalysisResults trained = Analyzer.run(dir, options(200L, new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        assertTrue(trained.fin().logits().accuracyTest() >= 0.99, "the Fourier model generalises");
        assertFalse(summary(dir).getAsJsonArray("warnings").toString().contains("has not generalised"));
    }

    @Test
    void theSummaryTableKeepsItsColumnsAligned() throws Exception {
        RunDirectory dir = run(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Analyzer.run(dir, options(null, out, new ByteArrayOutputStream()));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        String header = lines.stream().filter(l -> l.contains("this run")).findFirst().orElseThrow();
        int ours = header.indexOf("this run");
        int paper = header.indexOf("paper (main run)");
        int rows = 0;
        for (String l : lines) {
            if (l.startsWith("  ") && !l.equals(header)) {
                rows++;
                assertEquals(' ', l.charAt(ours - 1), "column 1 runs into column 2: '" + l + "'");
                assertTrue(l.length() <= paper || l.charAt(paper - 1) == ' ',
                        "column 2 runs into column 3: '" + l + "'");
                assertFalse(l.substring(0, ours).isBlank() && !l.isBlank(), "a row without a label: '" + l + "'");
            }
        }
        assertTrue(rows >= 15, "rows: " + rows);
        String neurons = lines.stream().filter(l -> l.contains("frac_explained >= 0.85")).findFirst().orElseThrow();
        assertEquals(paper, neurons.indexOf("433/512"), "'" + neurons + "' against '" + header + "'");
    }
}
