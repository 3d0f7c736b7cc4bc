package io.jgrok.analysis;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.cli.Main;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.Safetensors;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jgrok analyze --agop}: what it writes, and when it runs. */
class AgopAnalysisTest {
    @TempDir
    Path tmp;

    static final int P = 13;
    static final RunConfig CONFIG = TestConfigs.small(P, 16, 4, 2 * P * 2);
    static final int N_CHECKPOINTS = 6;

    RunDirectory run() throws Exception {
        return RunDirs.interpolated(tmp.resolve("run"), CONFIG,
                SyntheticFourierModel.build(CONFIG, new int[] {2, 5}, 10), N_CHECKPOINTS, 100);
    }

    static AnalysisResults analyze(RunDirectory dir, String agop, ByteArrayOutputStream err) {
        return Analyzer.run(dir, new Analyzer.Options(null, "cpu", 2, false,
                new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true), KeyFrequencyRule.CLUSTERED, agop));
    }

    static JsonObject json(Path file) throws Exception {
        return new Gson().fromJson(Files.readString(file), JsonObject.class);
    }

    @Test
    void writesTheAgopColumnsSummaryAndArrays() throws Exception {
        RunDirectory dir = run();
        AnalysisResults r = analyze(dir, "on", new ByteArrayOutputStream());
        AgopResults agop = r.agop();
        int last = N_CHECKPOINTS - 1;

        // progress.csv / .json: the AGOP columns after the others, one value per checkpoint.
        List<String> csv = Files.readAllLines(dir.analysis().resolve("progress.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        int first = header.indexOf("agop_trace");
        assertEquals(AgopResults.COLUMNS, header.subList(first, header.size()));
        assertEquals(N_CHECKPOINTS + 1, csv.size());
        String[] lastRow = csv.get(N_CHECKPOINTS).split(",");
        assertEquals(1.0, Double.parseDouble(lastRow[header.indexOf("agop_alignment")]), 1e-12,
                "the last checkpoint is the reference");
        JsonObject progress = json(dir.analysis().resolve("progress.json"));
        for (String col : AgopResults.COLUMNS) {
            assertEquals(N_CHECKPOINTS, progress.getAsJsonArray(col).size(), col);
        }
        assertEquals(agop.measures().get(2).crossDifference(),
                progress.getAsJsonArray("agop_dev_ab_diff").get(2).getAsDouble());

        // The rows are the measures of each checkpoint alone, against the final sqrt(AGOP).
        Split split = Split.of(CONFIG);
        float[] finalW = Checkpoints.read(dir.checkpointFiles().get(last)).state().params();
        float[] midW = Checkpoints.read(dir.checkpointFiles().get(2)).state().params();
        FourierBasis basis = new FourierBasis(P, CONFIG.fourierOrder());
        try (AnalysisBackend backend = new CpuAnalysisBackend(CONFIG, 1)) {
            double[][] g = backend.agop(new float[][] {finalW, midW}, split.train());
            double[] finalSqrt = SymmetricEigen.psdSquareRoot(g[0], 2 * P);
            AgopMeasures mid = AgopMeasures.of(g[1], SymmetricEigen.psdSquareRoot(g[1], 2 * P),
                    AgopMeasures.nfm(new io.jgrok.model.ParamLayout(CONFIG), midW), finalSqrt, basis,
                    AgopMeasures.keyRows(basis, r.keyFrequencies()));
            assertEquals(mid, agop.measures().get(2));

            // arrays.safetensors: the final AGOP, its root, their Fourier transform, the NFM and the heatmaps.
            Safetensors.Contents arrays = Safetensors.read(dir.analysis().resolve("arrays.safetensors"));
            float[] stored = arrays.tensors().get("agop").data();
            assertArrayEquals(new int[] {2 * P, 2 * P}, arrays.tensors().get("agop").shape());
            for (int i = 0; i < stored.length; i++) {
                assertEquals((float) g[0][i], stored[i]);
            }
            float[] sqrt = arrays.tensors().get("agop_sqrt").data();
            assertEquals((float) finalSqrt[(P + 1) * 2 * P + 3], sqrt[(P + 1) * 2 * P + 3]);
            assertArrayEquals(new int[] {2 * P, 2 * P}, arrays.tensors().get("agop_fourier").shape());
            assertArrayEquals(new int[] {2 * P, 2 * P}, arrays.tensors().get("agop_nfm").shape());
            Safetensors.Tensor heat = arrays.tensors().get("agop_heatmap_ab");
            int k = heat.shape()[0];
            assertArrayEquals(new int[] {k, P, P}, heat.shape());
            assertEquals(0f, arrays.tensors().get("agop_heatmap_epochs").data()[0]);
            assertEquals(100f * last, arrays.tensors().get("agop_heatmap_epochs").data()[k - 1]);
            // The last heatmap is the final a-b block (rows b, columns a) of sqrt(AGOP).
            for (int i = 0; i < P; i++) {
                for (int j = 0; j < P; j++) {
                    assertEquals((float) finalSqrt[(P + i) * 2 * P + j], heat.data()[(k - 1) * P * P + i * P + j]);
                }
            }
        }

        // summary.json: the final measures, the alignment crossings with their phase, the heatmap moments.
        JsonObject s = json(dir.analysis().resolve("summary.json")).getAsJsonObject("agop");
        assertEquals(split.trainSize(), s.get("examples").getAsInt());
        assertEquals(100L * last, s.get("reference_epoch").getAsLong());
        assertEquals(N_CHECKPOINTS, s.get("n_checkpoints").getAsInt());
        JsonObject fin = s.getAsJsonObject("final");
        assertEquals(agop.measures().get(last).nfmCorrelation(), fin.get("nfm_correlation").getAsDouble());
        assertEquals(agop.measures().get(last).crossSum(), fin.get("deviation_ab_sum").getAsDouble());
        JsonArray crossings = s.getAsJsonArray("alignment_crossings");
        assertEquals(2, crossings.size());
        assertEquals(0.5, crossings.get(0).getAsJsonObject().get("threshold").getAsDouble());
        Long e9 = agop.firstEpochWithAlignment(0.9);
        assertTrue(e9 != null, "the path reaches 0.9");
        assertEquals((long) e9, crossings.get(1).getAsJsonObject().get("epoch").getAsLong());
        assertEquals("initialisation", s.getAsJsonArray("heatmaps").get(0).getAsJsonObject().get("moment")
                .getAsString());
        // Alignment grows along the path from the random init to the Fourier model, and reaches 0.9 before the end.
        assertTrue(agop.measures().get(last).alignment() > agop.measures().get(0).alignment());
        assertTrue(e9 <= 100L * last);
    }

    @Test
    void offWritesNothingAndAutoSaysWhyOnTheCpu() throws Exception {
        RunDirectory dir = run();
        AnalysisResults off = analyze(dir, "off", new ByteArrayOutputStream());
        assertNull(off.agop());
        assertFalse(Files.readAllLines(dir.analysis().resolve("progress.csv")).get(0).contains("agop"));
        // summary.json writes what was not computed as null (as it does for absent phase boundaries).
        assertTrue(json(dir.analysis().resolve("summary.json")).get("agop").isJsonNull(), "agop is null when off");
        assertFalse(Safetensors.read(dir.analysis().resolve("arrays.safetensors")).tensors().containsKey("agop"));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AnalysisResults auto = analyze(dir, "auto", err);
        assertNull(auto.agop());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--agop on"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theAnalysedCheckpointIsTheAlignmentReference() throws Exception {
        RunDirectory dir = run();
        AnalysisResults r = Analyzer.run(dir, new Analyzer.Options(200L, "cpu", 2, false,
                new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(new ByteArrayOutputStream(),
                true), KeyFrequencyRule.CLUSTERED, "on"));
        assertEquals(200, r.agop().referenceEpoch());
        assertEquals(1.0, r.agop().measures().get(2).alignment(), Tolerances.FLOAT64_ABS);
        assertTrue(r.agop().measures().get(N_CHECKPOINTS - 1).alignment() < 1.0);
    }

    @Test
    void aBadAgopValueIsAOneLineError() throws Exception {
        RunDirectory dir = run();
        assertEquals(2, Main.run(new String[] {"analyze", dir.root().toString(), "--agop", "yes"}));
        assertEquals(0, Main.run(new String[] {"analyze", dir.root().toString(), "--agop", "on", "--device", "cpu",
                "--quiet"}));
        assertTrue(Files.readAllLines(dir.analysis().resolve("progress.csv")).get(0).contains("agop_alignment"));
    }
}
