package io.jgrok.analysis;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.TestConfigs;
import io.jgrok.UserError;
import io.jgrok.cli.Main;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.Safetensors;
import io.jgrok.model.ParamLayout;
import io.jgrok.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrok analyze} end to end on run directories written without training, and its errors. */
class AnalyzerTest {
    @TempDir
    Path tmp;

    static final RunConfig CONFIG = TestConfigs.small(37, 32, 4, 64);

    static Analyzer.Options options(Long checkpoint, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return new Analyzer.Options(checkpoint, "cpu", 2, false, new PrintStream(out, true),
                new PrintStream(err, true));
    }

    RunDirectory syntheticRun(RunConfig config, int[] keys, int n) throws Exception {
        return RunDirs.interpolated(tmp.resolve("run"), config, SyntheticFourierModel.build(config, keys, 1000), n,
                100);
    }

    @Test
    void writesTheDocumentedFiles() throws Exception {
        RunDirectory dir = syntheticRun(CONFIG, new int[] {5, 17}, 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AnalysisResults r = Analyzer.run(dir, options(null, out, new ByteArrayOutputStream()));
        assertEquals(600, r.fin().epoch());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("key frequencies") && text.contains("14 35 41 42 52"), text);

        JsonObject summary = new Gson().fromJson(Files.readString(dir.analysis().resolve("summary.json")),
                JsonObject.class);
        assertEquals("jgrok-analysis-1", summary.get("format").getAsString());
        assertEquals(600, summary.get("epoch").getAsLong());
        assertEquals("[5,17]", summary.get("key_frequencies").toString());
        assertEquals(64, summary.getAsJsonObject("neurons").get("clustered").getAsInt());
        assertEquals(37, summary.getAsJsonArray("basis_labels").size());
        for (String key : List.of("loss", "accuracy", "embed", "neuron_logit_map", "attention", "logit_fourier",
                "ablations", "sum_of_squared_weights", "phases", "warnings", "paper", "config")) {
            assertTrue(summary.has(key), key);
        }
        JsonObject ab = summary.getAsJsonObject("ablations");
        assertEquals(2, ab.getAsJsonArray("per_frequency").size());
        assertEquals("[14,35,41,42,52]", summary.getAsJsonObject("paper").get("key_frequencies").toString());
        assertEquals(r.fin().logits().restrictedLoss(), ab.get("restricted_loss").getAsDouble());

        List<String> csv = Files.readAllLines(dir.analysis().resolve("progress.csv"));
        assertEquals(8, csv.size(), "header + one row per checkpoint");
        List<String> columns = AnalysisFiles.progressColumns(new int[] {5, 17});
        assertEquals(String.join(",", columns), csv.get(0));
        assertTrue(csv.get(1).startsWith("0,"));
        assertTrue(csv.get(7).startsWith("600,"));
        JsonObject progress = new Gson().fromJson(Files.readString(dir.analysis().resolve("progress.json")),
                JsonObject.class);
        for (String col : columns) {
            JsonArray a = progress.getAsJsonArray(col);
            assertNotNull(a, col);
            assertEquals(7, a.size());
        }
        assertEquals(Double.parseDouble(csv.get(4).split(",")[7]),
                progress.getAsJsonArray("restricted_loss").get(3).getAsDouble());

        Safetensors.Contents arrays = Safetensors.read(dir.analysis().resolve("arrays.safetensors"));
        assertArrayEquals(new int[] {64, 37, 37}, arrays.tensors().get("neuron_activations").shape());
        assertArrayEquals(new int[] {4, 37, 37}, arrays.tensors().get("attention_to_a").shape());
        assertArrayEquals(new int[] {37, 37}, arrays.tensors().get("logits_fourier_norms").shape());
        assertArrayEquals(new int[] {37, 32}, arrays.tensors().get("embed_fourier").shape());
        assertArrayEquals(new int[] {37, 64}, arrays.tensors().get("neuron_logit_fourier").shape());
        assertArrayEquals(new int[] {64, 18}, arrays.tensors().get("neuron_frac_explained").shape());
        assertArrayEquals(new int[] {7, 18}, arrays.tensors().get("progress_embed_frequency_norms").shape());
        assertArrayEquals(new int[] {7, 2}, arrays.tensors().get("progress_key_amplitudes").shape());
        assertEquals("[5,17]", arrays.metadata().get("key_frequencies"));
        // Activations are stored neuron-major: [neuron, a, b].
        float[] acts = arrays.tensors().get("neuron_activations").data();
        assertEquals(r.fin().outputs().neurons()[(3 * 37 + 4) * 64 + 9], acts[9 * 37 * 37 + 3 * 37 + 4]);
    }

    @Test
    void progressRowsEqualTheMeasuresOfEachCheckpointAlone() throws Exception {
        RunDirectory dir = syntheticRun(CONFIG, new int[] {5, 17}, 5);
        List<Path> files = dir.checkpointFiles();
        Split split = Split.of(CONFIG);
        AblationPlan plan = new AblationPlan(new int[] {5, 17}, split.train(), split.test(), false);
        // Batch size 4 on 2 threads over 5 checkpoints: a partial last batch.
        try (AnalysisBackend backend = new CpuAnalysisBackend(CONFIG, 2)) {
            List<ProgressMeasures.Row> rows = ProgressMeasures.compute(backend, CONFIG, files, plan,
                    Progress.create("t", "ckpt", files.size(), 0, false));
            assertEquals(5, rows.size());
            for (int i = 0; i < files.size(); i++) {
                float[] w = Checkpoints.read(files.get(i)).state().params();
                float[] logits = backend.logits(new float[][] {w})[0];
                LogitMeasures alone = backend.logitMeasures(new float[][] {logits}, plan)[0];
                assertEquals(100L * i, rows.get(i).epoch());
                assertEquals(alone.restrictedLoss(), rows.get(i).logits().restrictedLoss());
                assertEquals(alone.lossTest(), rows.get(i).logits().lossTest());
                assertEquals(new ParamLayout(CONFIG).sumOfSquares(w), rows.get(i).weights().sumOfSquares());
            }
            // Along the path from random to the Fourier model the restricted loss falls and the Gini rises.
            assertTrue(rows.get(4).logits().restrictedLoss() < rows.get(0).logits().restrictedLoss());
            assertTrue(rows.get(4).weights().giniEmbed() > rows.get(0).weights().giniEmbed());
        }
    }

    @Test
    void backendsWithDifferentThreadCountsAgreeOnEveryOutput() throws Exception {
        // The template for the device half: run the whole analysis with two backends and compare everything.
        RunDirectory dir = syntheticRun(CONFIG, new int[] {5, 17}, 4);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        AnalysisResults one = Analyzer.run(dir, new Analyzer.Options(null, "cpu", 1, false, new PrintStream(sink),
                new PrintStream(sink)));
        AnalysisResults two = Analyzer.run(dir, new Analyzer.Options(null, "cpu", 2, false, new PrintStream(sink),
                new PrintStream(sink)));
        AnalysisAgreement.assertAgree(one, two);
    }

    @Test
    void aChosenCheckpointIsAnalysedAndANonPrimeIsWarnedAbout() throws Exception {
        RunConfig composite = TestConfigs.small(15, 16, 2, 32);
        RunDirectory dir = syntheticRun(composite, new int[] {2, 4}, 3);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AnalysisResults r = Analyzer.run(dir, options(100L, new ByteArrayOutputStream(), err));
        assertEquals(100, r.fin().epoch());
        assertEquals(3, r.progress().size());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not prime"));
        JsonObject summary = new Gson().fromJson(Files.readString(dir.analysis().resolve("summary.json")),
                JsonObject.class);
        assertTrue(summary.getAsJsonArray("warnings").get(0).getAsString().contains("not prime"));
        assertFalse(summary.getAsJsonObject("config").get("prime").getAsBoolean());
    }

    @Test
    void badRunDirectoriesAreOneLineUserErrors() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        UserError missing = assertThrows(UserError.class,
                () -> Analyzer.run(new RunDirectory(tmp.resolve("nope")), options(null, sink, sink)));
        assertTrue(missing.getMessage().contains("does not exist"));
        Files.createDirectories(tmp.resolve("empty"));
        UserError empty = assertThrows(UserError.class,
                () -> Analyzer.run(new RunDirectory(tmp.resolve("empty")), options(null, sink, sink)));
        assertTrue(empty.getMessage().contains("no checkpoints"));
        RunDirectory dir = syntheticRun(TestConfigs.small(7, 16, 2, 8), new int[] {1, 2}, 2);
        UserError absent = assertThrows(UserError.class, () -> Analyzer.run(dir, options(50L, sink, sink)));
        assertTrue(absent.getMessage().contains("no checkpoint for epoch 50"), absent.getMessage());
        assertTrue(absent.getMessage().contains("from epoch 0 to 100"), absent.getMessage());
    }

    @Test
    void theCommandLineReportsErrorsWithExitCode2() throws Exception {
        assertEquals(2, Main.run(new String[] {"analyze", tmp.resolve("nope").toString()}));
        assertEquals(2, Main.run(new String[] {"analyze"}));
        RunDirectory dir = syntheticRun(TestConfigs.small(7, 16, 2, 8), new int[] {1, 2}, 2);
        assertEquals(2, Main.run(new String[] {"analyze", dir.root().toString(), "--device", "tpu"}));
        assertEquals(2, Main.run(new String[] {"analyze", dir.root().toString(), "--checkpoint", "x"}));
        if (!io.jgrok.device.Devices.probeCuda().usable()) {
            assertEquals(2, Main.run(new String[] {"analyze", dir.root().toString(), "--device", "cuda"}));
        }
        assertEquals(0, Main.run(new String[] {"analyze", dir.root().toString(), "--device", "emulated", "--quiet",
                "--threads", "1"}));
        assertEquals(0, Main.run(new String[] {"analyze", dir.root().toString(), "--device", "cpu", "--quiet",
                "--threads", "1"}));
        assertTrue(Files.exists(dir.analysis().resolve("summary.json")));
    }
}
