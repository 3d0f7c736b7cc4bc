package io.jgrok.cli;

import io.jgrok.TestConfigs;
import io.jgrok.UserError;
import io.jgrok.config.GradProjection;
import io.jgrok.config.LossFunction;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.sweep.ShapeKey;
import io.jgrok.sweep.SweepRun;
import io.jgrok.sweep.SweepSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --loss} and {@code --grad_projection}: defaults (the paper's), one-line errors for bad values, the config
 * record and its JSON (older config files without the fields read as the defaults), a real run with both options
 * that writes the collapse columns and resumes bit for bit, and sweeps that vary them (run names, batching groups).
 */
class StabilityFlagsTest {
    @TempDir
    Path tmp;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedErr;
    private PrintStream savedOut;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private String[] train(String out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--out", tmp.resolve(out).toString(), "--quiet",
                "--device", "cpu", "--threads", "1", "--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "16",
                "--lr", "0.01", "--checkpoint_every", "5"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    @Test
    void defaultsAreThePapers() {
        for (Preset p : Preset.values()) {
            assertEquals(LossFunction.SOFTMAX, p.defaults().loss());
            assertEquals(GradProjection.NONE, p.defaults().gradProjection());
        }
    }

    @Test
    void badValuesAreOneLineErrors() {
        String[][] cases = {
            {"--loss must be one of softmax, stablemax; got 'stable'", "--loss", "stable"},
            {"--grad_projection must be one of none, orthogonal; got 'parallel'", "--grad_projection", "parallel"}};
        for (String[] c : cases) {
            err.reset();
            int code = Main.run(train("bad", c[1], c[2]));
            String text = err.toString(StandardCharsets.UTF_8).strip();
            assertEquals(2, code, text);
            assertEquals(1, text.split("\n").length, text);
            assertTrue(text.contains(c[0]), text);
            assertFalse(Files.exists(tmp.resolve("bad")), "nothing is written");
        }
        UserError e = assertThrows(UserError.class, () -> RunConfig.fromJson("{\"loss\": \"cubic\"}", "x.json"));
        assertTrue(e.getMessage().contains("--loss must be one of softmax, stablemax"), e.getMessage());
    }

    @Test
    void configJsonCarriesBothAndOlderFilesReadAsDefaults() {
        RunConfig c = TestConfigs.with(TestConfigs.paper(10), b -> {
            b.loss = LossFunction.STABLEMAX;
            b.gradProjection = GradProjection.ORTHOGONAL;
        });
        String json = c.toJson();
        assertTrue(json.contains("\"loss\": \"stablemax\""), json);
        assertTrue(json.contains("\"grad_projection\": \"orthogonal\""), json);
        assertEquals(c, RunConfig.fromJson(json));
        String older = json.replaceAll("\\s*\"loss\": \"stablemax\",", "")
                .replaceAll("\\s*\"grad_projection\": \"orthogonal\",", "");
        assertFalse(older.contains("stablemax") || older.contains("orthogonal"));
        RunConfig read = RunConfig.fromJson(older);
        assertEquals(LossFunction.SOFTMAX, read.loss());
        assertEquals(GradProjection.NONE, read.gradProjection());
    }

    @Test
    void aRunWithBothOptionsRecordsCollapseAndResumesBitForBit() throws Exception {
        assertEquals(0, Main.run(train("whole", "--loss", "stablemax", "--grad_projection", "orthogonal",
                "--weight_decay", "0", "--n_epochs", "20")), err.toString(StandardCharsets.UTF_8));
        assertEquals(0, Main.run(train("parts", "--loss", "stablemax", "--grad_projection", "orthogonal",
                "--weight_decay", "0", "--n_epochs", "10")));
        assertEquals(0, Main.run(new String[] {"train", "--resume", tmp.resolve("parts").toString(), "--n_epochs",
            "20", "--quiet"}));
        RunDirectory whole = new RunDirectory(tmp.resolve("whole"));
        RunDirectory parts = new RunDirectory(tmp.resolve("parts"));
        RunConfig config = whole.readConfig();
        assertEquals(LossFunction.STABLEMAX, config.loss());
        assertEquals(GradProjection.ORTHOGONAL, config.gradProjection());
        assertArrayEquals(Checkpoints.read(whole.checkpoint(19)).state().params(),
                Checkpoints.read(parts.checkpoint(19)).state().params(), "resumed = uninterrupted");
        History h = History.read(whole.history());
        History hp = History.read(parts.history());
        assertEquals(20, h.size());
        for (int i = 0; i < h.size(); i++) {
            assertTrue(h.collapsedF32(i) >= 0 && h.collapsedF32(i) <= 1, "float32 collapse recorded at " + i);
            assertTrue(h.collapsedF64(i) >= 0 && h.collapsedF64(i) <= h.collapsedF32(i), "float64 <= float32");
            assertEquals(h.trainLoss(i), hp.trainLoss(i), 0.0, "history row " + i);
            assertEquals(h.collapsedF32(i), hp.collapsedF32(i), 0.0, "history row " + i);
        }
        assertTrue(Files.readString(whole.history()).contains("\"softmax_collapse_f32\": [0.0,"));
    }

    @Test
    void sweepsVaryThemWithReadableNamesAndSeparateBatches() {
        TrainFlags flags = new TrainFlags();
        SweepSpec spec = SweepSpec.parse("{\"p\": 7, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 16, \"weight_decay\": "
                + "[0, 1], \"loss\": [\"softmax\", \"stablemax\"], \"grad_projection\": [\"none\", \"orthogonal\"]}",
                tmp, "s.json", flags);
        List<SweepRun> runs = spec.expand(flags);
        assertEquals(8, runs.size());
        assertEquals("wd0-softmax-proj-none", runs.get(0).name());
        assertEquals("wd1-stablemax-proj-orthogonal", runs.get(7).name());
        assertEquals(LossFunction.STABLEMAX, runs.get(7).config().loss());
        assertEquals(GradProjection.ORTHOGONAL, runs.get(7).config().gradProjection());
        // One batched launch runs one loss and one projection, so those split the device groups; weight decay not.
        assertEquals(ShapeKey.of(runs.get(0).config()), ShapeKey.of(runs.get(4).config()));
        assertNotEquals(ShapeKey.of(runs.get(0).config()), ShapeKey.of(runs.get(1).config()));
        assertNotEquals(ShapeKey.of(runs.get(0).config()), ShapeKey.of(runs.get(2).config()));
        assertTrue(ShapeKey.of(runs.get(3).config()).label().endsWith("-stablemax-orthogonal"),
                ShapeKey.of(runs.get(3).config()).label());
    }
}
