package io.jgrok.torch;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.InProcessCli;
import io.jgrok.Tolerances;
import io.jgrok.config.RunConfig;
import io.jgrok.config.TestTiming;
import io.jgrok.data.Split;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./jgrok import} of every layout and orientation PyTorch wrote (tools/make_torch_fixtures.py): the weights
 * land in jgrok's layout exactly (checked against an element-by-element reading of each orientation written here,
 * not the importer's conversion), the config says what the file says, the history holds the file's losses with
 * accuracies in the rows whose weights they measure, the optimizer state carries over so that train --resume
 * continues the PyTorch run, and the imported run is an ordinary run for analyze and predict.
 */
class TorchImportTest {
    @TempDir
    Path tmp;

    private RunDirectory importFile(String name, String... extra) {
        Path out = tmp.resolve(name.replace('.', '_'));
        String[] base = {"import", Fixtures.file(name).toString(), "--out", out.toString(), "--quiet"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra))
                .toArray(String[]::new);
        InProcessCli.Result r = InProcessCli.run(args);
        assertEquals(0, r.code(), "import " + name + " failed: " + r.err());
        return new RunDirectory(out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // file,              layout key in the file, orientation, outputs, mlp biases trained, checkpoints
        "state_dict_paper.pt, ,             paper,            12, true,  0",
        "state_dict_tl.pt,    ,             transformer-lens, 11, false, 0",
        "paper_training.pth,  model,        paper,            12, true,  29",
        "paper_notebook.pth,  state_dicts,  paper,            12, true,  0 10 20",
        "tl_demo.pth,         checkpoints,  transformer-lens, 11, false, 9 19 29",
    })
    void weightsLandExactlyInJgroksLayout(String name, String key, String orientation, int nOut, boolean biases,
                                          String epochs) {
        RunDirectory run = importFile(name);
        RunConfig c = run.readConfig();
        assertEquals(Fixtures.P, c.p());
        assertEquals(Fixtures.D, c.dModel());
        assertEquals(Fixtures.H, c.nHeads());
        assertEquals(Fixtures.M, c.dMlp());
        assertEquals(nOut, c.nOutputs());
        assertEquals(biases, c.trainMlpBiases());
        Map<?, ?> root = (Map<?, ?>) TorchFile.read(Fixtures.file(name));
        List<?> sds = key == null ? List.of(root) : key.equals("model") ? List.of(root.get("model"))
                : (List<?>) root.get(key);
        String[] e = epochs.trim().split(" ");
        List<Path> files = run.checkpointFiles();
        assertEquals(e.length, files.size());
        for (int i = 0; i < e.length; i++) {
            Checkpoints.Checkpoint ck = Checkpoints.read(files.get(i));
            assertEquals(Long.parseLong(e[i]), ck.epoch());
            assertWeights((Map<?, ?>) sds.get(i), orientation.equals("paper"), ck.state().params(), c);
        }
        JsonObject info = runInfo(run).getAsJsonObject("imported_from");
        assertEquals(orientation, info.get("orientation").getAsString());
        assertEquals(64, info.get("sha256").getAsString().length());
    }

    /** Each element by its index formula: paper orientation applies weights on the left (W x), jgrok on the right. */
    private static void assertWeights(Map<?, ?> sd, boolean paper, float[] params, RunConfig c) {
        ParamLayout l = new ParamLayout(c);
        int v = c.p() + 1;
        int d = c.dModel();
        int h = c.nHeads();
        int dh = c.dHead();
        int m = c.dMlp();
        float[] wE = t(sd, ParamLayout.W_E);
        for (int tok = 0; tok < v; tok++) {
            for (int j = 0; j < d; j++) {
                assertEquals(paper ? wE[j * v + tok] : wE[tok * d + j], params[l.wE + tok * d + j]);
            }
        }
        for (String name : List.of(ParamLayout.W_Q, ParamLayout.W_K, ParamLayout.W_V)) {
            float[] w = t(sd, name);
            int off = l.tensor(name).offset();
            for (int hh = 0; hh < h; hh++) {
                for (int j = 0; j < d; j++) {
                    for (int k = 0; k < dh; k++) {
                        float want = paper ? w[(hh * dh + k) * d + j] : w[(hh * d + j) * dh + k];
                        assertEquals(want, params[off + (hh * d + j) * dh + k], name);
                    }
                }
            }
        }
        float[] wO = t(sd, ParamLayout.W_O);
        for (int hh = 0; hh < h; hh++) {
            for (int k = 0; k < dh; k++) {
                for (int j = 0; j < d; j++) {
                    float want = paper ? wO[j * (h * dh) + hh * dh + k] : wO[(hh * dh + k) * d + j];
                    assertEquals(want, params[l.wO + (hh * dh + k) * d + j], "W_O");
                }
            }
        }
        float[] wIn = t(sd, ParamLayout.W_IN);
        float[] wOut = t(sd, ParamLayout.W_OUT);
        for (int j = 0; j < d; j++) {
            for (int n = 0; n < m; n++) {
                assertEquals(paper ? wIn[n * d + j] : wIn[j * m + n], params[l.wIn + j * m + n], "W_in");
                assertEquals(paper ? wOut[j * m + n] : wOut[n * d + j], params[l.wOut + n * d + j], "W_out");
            }
        }
        for (String same : List.of(ParamLayout.W_POS, ParamLayout.B_IN, ParamLayout.B_OUT, ParamLayout.W_U)) {
            assertArrayEquals(t(sd, same), l.extract(params, same), same);
        }
    }

    private static float[] t(Map<?, ?> sd, String name) {
        return ((TorchTensor) sd.get(name)).floats();
    }

    @Test
    void paperTrainingFileGivesConfigHistoryAndOptimizer() {
        RunDirectory run = importFile("paper_training.pth");
        RunConfig c = run.readConfig();
        Map<?, ?> root = (Map<?, ?>) TorchFile.read(Fixtures.file("paper_training.pth"));
        assertEquals("paper", c.preset());
        assertEquals(1e-2, c.lr(), "lr from the optimizer's param group");
        assertEquals(1.0, c.weightDecay());
        assertEquals(0.98, c.beta2());
        assertEquals(30, c.nEpochs());
        assertEquals(TestTiming.BEFORE_STEP, c.testTiming());
        assertEquals(0, c.dataSeed(), "the config's seed is the paper's split seed");
        History h = History.read(run.history());
        assertEquals(30, h.size());
        List<?> train = (List<?>) root.get("train_losses");
        List<?> test = (List<?>) root.get("test_losses");
        for (int e = 0; e < 30; e++) {
            assertEquals(((Number) train.get(e)).doubleValue(), h.trainLoss(e), "losses as the file has them");
            assertEquals(((Number) test.get(e)).doubleValue(), h.testLoss(e));
            assertTrue(Double.isNaN(h.trainAcc(e)), "one checkpoint, at the last epoch: no row measures it");
        }
        Checkpoints.Checkpoint ck = Checkpoints.read(run.checkpoint(29));
        assertEquals(30, ck.state().step(), "AdamW has taken 30 steps");
        assertTrue(sumSq(ck.state().adamV()) > 0, "second moments imported");
        assertEquals(Split.of(c).train().length, SplitFiles.read(run.split(), 11).train().length);
    }

    /**
     * PyTorch trained this run 5 epochs further (the fixture's continuation); train --resume from the imported
     * weights and AdamW state must give the same losses. An orientation slip in a moment tensor, a lost step count
     * (bias correction, warmup) or a wrong learning rate moves them by far more than the float32 summation order.
     */
    @Test
    void trainResumeContinuesThePytorchRun() throws Exception {
        RunDirectory run = importFile("paper_training.pth");
        InProcessCli.Result r = InProcessCli.run("train", "--resume", run.root().toString(), "--n_epochs", "35",
                "--quiet");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("AdamW starts afresh"), "the file has optimizer state");
        JsonObject cont = new Gson().fromJson(Files.readString(Fixtures.file("paper_training.continuation.json")),
                JsonObject.class);
        JsonArray train = cont.getAsJsonArray("train_losses");
        JsonArray test = cont.getAsJsonArray("test_losses");
        History h = History.read(run.history());
        assertEquals(35, h.size());
        for (int i = 0; i < 5; i++) {
            assertRel(train.get(i).getAsDouble(), h.trainLoss(30 + i), "train loss of epoch " + (30 + i));
            assertRel(test.get(i).getAsDouble(), h.testLoss(30 + i), "test loss of epoch " + (30 + i));
        }
        assertTrue(runInfo(run).has("imported_from"), "resuming keeps the import record");
    }

    @Test
    void resumeWithoutOptimizerStateSaysAdamWStartsAfresh() {
        RunDirectory run = importFile("tl_demo.pth");
        InProcessCli.Result r = InProcessCli.run("train", "--resume", run.root().toString(), "--n_epochs", "32",
                "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("no optimiser state") && r.err().contains("AdamW starts afresh"), r.err());
        assertEquals(32, History.read(run.history()).size());
    }

    @Test
    void notebookFileSamplesTestLossesAndPlacesAccuracies() {
        RunDirectory run = importFile("paper_notebook.pth");
        RunConfig c = run.readConfig();
        assertEquals(10, c.evalEvery(), "30 train and 3 test losses: every 10th epoch");
        assertEquals(10, c.checkpointEvery());
        History h = History.read(run.history());
        Map<?, ?> root = (Map<?, ?>) TorchFile.read(Fixtures.file("paper_notebook.pth"));
        List<?> test = (List<?>) root.get("test_losses");
        for (int e = 0; e < 30; e++) {
            if (e % 10 == 0) {
                assertEquals(((Number) test.get(e / 10)).doubleValue(), h.testLoss(e));
            } else {
                assertTrue(Double.isNaN(h.testLoss(e)), "not evaluated at " + e);
            }
            // Checkpoints 0, 10, 20 hold the weights that rows 1, 11, 21 measure (before their step).
            boolean measured = e == 1 || e == 11 || e == 21;
            assertEquals(measured, !Double.isNaN(h.trainAcc(e)), "train accuracy at row " + e);
        }
        // Test accuracy only where the test set is evaluated: rows 1, 11, 21 are not.
        for (int e = 0; e < 30; e++) {
            assertTrue(Double.isNaN(h.testAcc(e)));
        }
    }

    @Test
    void tlDemoFileGivesItsSplitTimingAndConfig() throws Exception {
        RunDirectory run = importFile("tl_demo.pth");
        RunConfig c = run.readConfig();
        assertEquals("tl-demo", c.preset());
        assertEquals(TestTiming.AFTER_STEP, c.testTiming());
        assertEquals(999, c.seed(), "HookedTransformerConfig's seed");
        assertFalse(c.equalsLogit());
        Map<?, ?> root = (Map<?, ?>) TorchFile.read(Fixtures.file("tl_demo.pth"));
        long[] train = ((TorchTensor) root.get("train_indices")).longs();
        int[] got = SplitFiles.read(run.split(), 11).train();
        assertEquals(train.length, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(train[i], got[i], "train indices in the file's order");
        }
        assertEquals(36, c.trainSize());
        History h = History.read(run.history());
        // Test loss after the step: checkpoint 9's test accuracy is row 9's, its train accuracy row 10's.
        for (int e = 0; e < 30; e++) {
            assertEquals(e == 9 || e == 19 || e == 29, !Double.isNaN(h.testAcc(e)), "test accuracy at " + e);
            assertEquals(e == 10 || e == 20, !Double.isNaN(h.trainAcc(e)), "train accuracy at " + e);
        }
        // The recomputed test accuracy and loss of the last checkpoint are what the file's row 29 measured.
        Importer.Evaluation ev;
        try (io.jgrok.engine.cpu.CpuEngine engine = new io.jgrok.engine.cpu.CpuEngine(c,
                SplitFiles.read(run.split(), 11))) {
            ev = Importer.evaluate(engine, Checkpoints.read(run.checkpoint(29)).state().params(),
                    SplitFiles.read(run.split(), 11), c);
        }
        assertRel(h.testLoss(29), ev.testLoss(), "recomputed test loss vs the file's (same weights)");
        assertEquals(ev.testAcc(), h.testAcc(29));
        assertTrue(runInfo(run).getAsJsonObject("imported_from").get("config_class").getAsString()
                .endsWith("HookedTransformerConfig"));
    }

    @Test
    void importedRunsAnalyseAndPredict() {
        RunDirectory run = importFile("tl_demo.pth");
        InProcessCli.Result a = InProcessCli.run("analyze", run.root().toString(), "--device", "cpu", "--quiet");
        assertEquals(0, a.code(), a.err());
        assertTrue(Files.exists(run.analysis().resolve("summary.json")));
        InProcessCli.Result p = InProcessCli.run("predict", "--checkpoint", run.checkpoint(29).toString(), "3", "5");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().startsWith("3 + 5 mod 11 = "), p.out());
    }

    @Test
    void bareStateDictTakesItsEpochFromTheFlag() {
        RunDirectory run = importFile("state_dict_paper.pt", "--epoch", "7", "--data_seed", "3");
        assertEquals(List.of(run.checkpoint(7)), run.checkpointFiles());
        assertEquals(8, History.read(run.history()).size());
        RunConfig c = run.readConfig();
        assertEquals(3, c.dataSeed());
        assertArrayEquals(Split.of(c).train(), SplitFiles.read(run.split(), 11).train());
    }

    private static JsonObject runInfo(RunDirectory run) {
        try {
            return new Gson().fromJson(Files.readString(run.runInfo()), JsonObject.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static double sumSq(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return s;
    }

    private static void assertRel(double want, double got, String what) {
        assertEquals(want, got, Tolerances.TRAINING_HISTORY_REL * Math.abs(want), what);
    }
}
