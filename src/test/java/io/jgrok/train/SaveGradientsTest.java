package io.jgrok.train;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.cli.Main;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.ReferenceModel;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.Safetensors;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --save_gradients}: checkpoint E holds the full-batch loss gradient of epoch E's step, i.e. the
 * gradient of the mean training loss at checkpoint E - 1's weights (the initial weights for E = 0), raw: before
 * Grokfast's filter and before frozen parameters are zeroed. Checked against the float64 reference model's gradient,
 * on the CPU engine and on the CUDA kernels (emulated device).
 */
class SaveGradientsTest {
    @TempDir
    Path tmp;

    static RunConfig config(String device) {
        return TestConfigs.with(TestConfigs.small(11, 16, 4, 24), b -> {
            b.nEpochs = 4;
            b.checkpointEvery = 1;
            b.saveGradients = true;
            b.device = device;
            b.threads = 2;
        });
    }

    static RunDirectory train(Path root, RunConfig config) {
        RunDirectory dir = new RunDirectory(root);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Trainer.start(config, dir, null, null, false, new Trainer.Options(false, sink, sink));
        return dir;
    }

    /** Gradient of the mean training loss at these weights, by the float64 reference model. */
    static double[] referenceGradient(RunConfig config, float[] weights) {
        ParamLayout layout = new ParamLayout(config);
        double[] w = new double[weights.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights[i];
        }
        double[] g = new double[w.length];
        new ReferenceModel(layout).loss(w, Split.of(config).train(), g);
        return g;
    }

    static void assertGradientsOfEverySteps(RunConfig config, RunDirectory dir) {
        float[] before = Initializer.initialParameters(config);
        for (long e = 0; e < config.nEpochs(); e++) {
            Path ck = dir.checkpoint(e);
            float[] stored = Checkpoints.readGradient(ck);
            assertNotNull(stored, "checkpoint " + e + " has a gradient");
            double err = Tolerances.relativeError(stored, referenceGradient(config, before),
                    Tolerances.FLOAT32_ABS_FLOOR);
            assertTrue(err < Tolerances.FLOAT32_REL, "epoch " + e + ": " + err);
            before = Checkpoints.read(ck).state().params();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "emulated"})
    void eachCheckpointHoldsTheLossGradientOfItsEpochsStep(String device) {
        RunConfig config = config(device);
        RunDirectory dir = train(tmp.resolve(device), config);
        assertGradientsOfEverySteps(config, dir);
        // Named like the weights, with the prefix grad.
        Safetensors.Contents c = Safetensors.read(dir.checkpoint(2));
        for (ParamLayout.Tensor t : new ParamLayout(config).tensors()) {
            assertTrue(c.tensors().containsKey("grad." + t.name()), t.name());
        }
    }

    @Test
    void theGradientIsRawBeforeGrokfastAndFreezing() {
        // tl-demo freezes the MLP biases and Grokfast amplifies a filtered gradient: neither shows in the stored one.
        RunConfig config = TestConfigs.with(Preset.TL_DEMO.defaults(), b -> {
            b.p = 11;
            b.dModel = 16;
            b.nHeads = 4;
            b.dMlp = 24;
            b.nEpochs = 4;
            b.checkpointEvery = 1;
            b.grokfast = GrokfastMode.EMA;
            b.saveGradients = true;
            b.device = "cpu";
            b.threads = 1;
        });
        RunDirectory dir = train(tmp.resolve("raw"), config);
        assertGradientsOfEverySteps(config, dir);
        ParamLayout layout = new ParamLayout(config);
        float[] g = Checkpoints.readGradient(dir.checkpoint(3));
        double bIn = 0;
        for (int i = 0; i < layout.dMlp; i++) {
            bIn = Math.max(bIn, Math.abs(g[layout.bIn + i]));
        }
        assertTrue(bIn > 0, "the frozen bias still has its loss gradient");
    }

    @Test
    void withoutTheFlagThereAreNoGradientsAndTheCommandLineParsesIt() throws Exception {
        RunConfig plain = TestConfigs.with(config("cpu"), b -> b.saveGradients = false);
        RunDirectory dir = train(tmp.resolve("plain"), plain);
        assertNull(Checkpoints.readGradient(dir.checkpoint(3)));
        assertFalse(Safetensors.read(dir.checkpoint(3)).tensors().keySet().stream()
                .anyMatch(n -> n.startsWith("grad.")));

        String[] common = {"train", "--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8", "--n_epochs",
            "3", "--device", "cpu", "--quiet"};
        Path on = tmp.resolve("on");
        assertEquals(0, Main.run(concat(common, "--out", on.toString(), "--save_gradients")));
        assertTrue(Files.readString(on.resolve("config.json")).contains("\"save_gradients\": true"));
        assertNotNull(Checkpoints.readGradient(new RunDirectory(on).checkpoint(2)));
        Path off = tmp.resolve("off");
        assertEquals(0, Main.run(concat(common, "--save_gradients", "false", "--out", off.toString())));
        assertNull(Checkpoints.readGradient(new RunDirectory(off).checkpoint(2)));
        assertEquals(2, Main.run(concat(common, "--save_gradients", "maybe", "--out", tmp.resolve("x").toString())));
        // Resuming keeps the saved config's choice; a checkpoint with gradients is a valid --init.
        assertEquals(0, Main.run(new String[] {"train", "--resume", on.toString(), "--n_epochs", "5", "--quiet"}));
        assertNotNull(Checkpoints.readGradient(new RunDirectory(on).checkpoint(4)));
        assertEquals(0, Main.run(concat(common, "--out", tmp.resolve("init").toString(), "--init",
                new RunDirectory(on).checkpoint(4).toString())));
    }

    @Test
    void aSweepOfLockstepDeviceRunsSavesEachRunsOwnGradients() throws Exception {
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, "{\"p\": 11, \"d_model\": 16, \"n_heads\": 4, \"d_mlp\": 24, \"n_epochs\": 4, "
                + "\"checkpoint_every\": 1, \"seeds\": \"1..2\", \"device\": \"emulated\", "
                + "\"save_gradients\": true, \"analysis\": \"none\"}");
        Path out = tmp.resolve("sweep");
        assertEquals(0, Main.run(new String[] {"sweep", spec.toString(), "--out", out.toString(), "--quiet"}));
        try (var runs = Files.list(out.resolve("runs"))) {
            java.util.List<Path> all = runs.toList();
            assertEquals(2, all.size(), all.toString());
            for (Path run : all) {
                RunDirectory dir = new RunDirectory(run);
                assertEquals("emulated", dir.readConfig().device());
                assertGradientsOfEverySteps(dir.readConfig(), dir);
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
