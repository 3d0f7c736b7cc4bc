package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.cli.TrainFlags;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec parsing: the grid, run names and order, defaults, and one-line errors for every kind of bad spec. */
class SweepSpecTest {
    private static final TrainFlags FLAGS = new TrainFlags();

    @TempDir
    Path tmp;

    private static List<SweepRun> expand(String json) {
        SweepSpec spec = SweepSpec.parse(json, Path.of("."), "test.json", FLAGS);
        return spec.expand(FLAGS);
    }

    private static String error(String json) {
        UserError e = assertThrows(UserError.class, () -> expand(json));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void theIssuesGridIsTheCartesianProductInSpecOrder() {
        List<SweepRun> runs = expand("{\"n_epochs\": 20000, \"seeds\": \"1..5\", \"weight_decay\": [0.3, 1, 3], "
                + "\"train_fraction\": [0.2, 0.3, 0.5]}");
        assertEquals(45, runs.size());
        // First axis slowest, last fastest.
        assertEquals("seed1-wd0.3-frac0.2", runs.get(0).name());
        assertEquals("seed1-wd0.3-frac0.3", runs.get(1).name());
        assertEquals("seed1-wd1-frac0.2", runs.get(3).name());
        assertEquals("seed2-wd0.3-frac0.2", runs.get(9).name());
        assertEquals("seed5-wd3-frac0.5", runs.get(44).name());
        for (int i = 0; i < runs.size(); i++) {
            SweepRun r = runs.get(i);
            assertEquals(i, r.index());
            RunConfig c = r.config();
            assertEquals(20000, c.nEpochs());
            assertEquals(1 + i / 9, c.seed());
            assertEquals(new double[] {0.3, 1, 3}[i / 3 % 3], c.weightDecay());
            assertEquals(new double[] {0.2, 0.3, 0.5}[i % 3], c.trainFraction());
            // The rest is the paper preset; a sweep's runs get one thread each and the CPU.
            assertEquals(113, c.p());
            assertEquals(1, c.threads());
            assertEquals("cpu", c.device());
            assertEquals(List.of("seed", "weight_decay", "train_fraction"), List.copyOf(r.params().keySet()));
        }
    }

    @Test
    void fixedValuesAndTrainFlagSpellingsWork() {
        List<SweepRun> runs = expand("{\"preset\": \"tl-demo\", \"p\": 31, \"d-model\": 64, \"grokfast\": \"ema\", "
                + "\"grokfast_alpha\": 0.9, \"threads\": 2, \"mlp_biases\": \"trained\", \"analysis\": \"none\"}");
        assertEquals(1, runs.size());
        assertEquals("run", runs.get(0).name());
        RunConfig c = runs.get(0).config();
        assertEquals("tl-demo", c.preset());
        assertEquals(31, c.p());
        assertEquals(64, c.dModel());
        assertEquals(GrokfastMode.EMA, c.grokfast());
        assertEquals(0.9, c.grokfastAlpha());
        assertEquals(2, c.threads());
        assertTrue(c.trainMlpBiases());
        assertEquals(598, c.dataSeed(), "tl-demo's data seed");
        assertNull(runs.get(0).initFile());
    }

    @Test
    void theSameRunInASweepHasTheConfigTrainWouldGive() throws Exception {
        RunConfig viaSweep = expand("{\"p\": 23, \"weight_decay\": [0.5], \"seed\": 4}").get(0).config();
        RunConfig viaFlags = FLAGS.resolve(java.util.Map.of("p", "23", "weight_decay", "0.5", "seed", "4",
                "threads", "1", "device", "cpu"));
        assertEquals(viaFlags, viaSweep);
    }

    @Test
    void otherAxesGetReadableNamesAndRangesMayBeNegative() {
        List<SweepRun> runs = expand("{\"grokfast\": [\"none\", \"ema\"], \"data_seeds\": \"-1..0\", "
                + "\"beta2\": [0.98, 0.999]}");
        assertEquals(8, runs.size());
        assertEquals("gf-none-dseed-1-beta2_0.98", runs.get(0).name());
        assertEquals("gf-ema-dseed0-beta2_0.999", runs.get(7).name());
    }

    @Test
    void shapesGroupRunsByPAndDataFractionButNotBySeedOrDecay() {
        List<SweepRun> runs = expand("{\"p\": [23, 29], \"train_fraction\": [0.3, 0.5], \"seed\": [1, 2], "
                + "\"weight_decay\": [0.3, 1]}");
        var groups = ShapeKey.group(runs, SweepRun::config);
        assertEquals(4, groups.size());
        for (var e : groups.entrySet()) {
            assertEquals(4, e.getValue().size());
            for (SweepRun r : e.getValue()) {
                assertEquals(e.getKey(), r.shape());
                assertEquals(e.getValue().get(0).config().p(), r.config().p());
                assertEquals(e.getValue().get(0).config().trainFraction(), r.config().trainFraction());
            }
        }
        assertEquals("p23-train158-d128h4-mlp512-out24", runs.get(0).shape().label());
    }

    @Test
    void initAndSplitPathsAreRelativeToTheSpec() throws Exception {
        Files.writeString(tmp.resolve("w.safetensors"), "x");
        SweepSpec spec = SweepSpec.parse("{\"init\": \"w.safetensors\", \"seed\": [1, 2]}", tmp, "s.json", FLAGS);
        assertEquals(tmp.resolve("w.safetensors"), spec.expand(FLAGS).get(1).initFile());
        UserError e = assertThrows(UserError.class, () -> SweepSpec.parse("{\"split_file\": \"missing.json\"}",
                tmp, "s.json", FLAGS).expand(FLAGS));
        assertTrue(e.getMessage().contains("missing.json") && e.getMessage().contains("does not exist"),
                e.getMessage());
    }

    @Test
    void badSpecsAreOneLineErrorsThatSayWhatIsWrong() {
        assertTrue(error("[1, 2]").contains("must be a JSON object"));
        assertTrue(error("{\"p\": 23,").contains("not valid JSON"));
        assertTrue(error("{\"weight_decy\": [1, 2]}").contains("unknown key 'weight_decy'"));
        assertTrue(error("{\"out\": \"x\"}").contains("unknown key 'out'"));
        assertTrue(error("{\"seed\": []}").contains("empty list"));
        assertTrue(error("{\"seed\": [1, 1]}").contains("twice"));
        assertTrue(error("{\"seed\": \"5..1\"}").contains("range"));
        assertTrue(error("{\"seed\": [[1]]}").contains("list values must be"));
        assertTrue(error("{\"seed\": {\"a\": 1}}").contains("must be a number"));
        assertTrue(error("{\"device\": [\"cpu\", \"auto\"]}").contains("cannot vary"));
        assertTrue(error("{\"seed\": 1, \"seeds\": 2}").contains("more than once"));
        assertTrue(error("{\"analysis\": \"some\"}").contains("\"full\" or \"none\""));
        // A run whose config train would refuse: the message names the run and the flag.
        String bad = error("{\"seed\": [1, 2], \"train_fraction\": [0.3, 1.5]}");
        assertTrue(bad.contains("run seed1-frac1.5") && bad.contains("--train_fraction"), bad);
        assertTrue(error("{\"d_model\": 30, \"n_heads\": [4]}").contains("divisible"));
        assertTrue(error("{\"seed\": \"1..200000\"}").contains("at most"));
    }

    @Test
    void theExampleSpecsInSweepsAreValid() throws Exception {
        List<Path> specs;
        try (var s = Files.list(Path.of("sweeps"))) {
            specs = s.filter(f -> f.toString().endsWith(".json")).toList();
        }
        assertTrue(specs.size() >= 5, "sweeps/ holds the example specs");
        for (Path f : specs) {
            List<SweepRun> runs = SweepSpec.read(f, FLAGS).expand(FLAGS);
            assertFalse(runs.isEmpty(), f.toString());
        }
        assertEquals(45, SweepSpec.read(Path.of("sweeps/grid.json"), FLAGS).expand(FLAGS).size());
    }
}
