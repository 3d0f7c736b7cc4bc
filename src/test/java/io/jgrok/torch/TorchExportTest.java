package io.jgrok.torch;

import io.jgrok.InProcessCli;
import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./jgrok export} then {@code ./jgrok import} gives back the run: every checkpoint's weights bit for bit, in
 * both formats and both orientations, and (tl-demo, which carries the run's config) the same config, split and
 * history losses. Pure Java; torch.load's view of the files is TorchExportInteropTest's.
 */
class TorchExportTest {
    @TempDir
    static Path tmp;
    static RunDirectory trained;

    @BeforeAll
    static void train() {
        for (String preset : List.of("paper", "tl-demo")) {
            Path out = tmp.resolve(preset);
            InProcessCli.Result r = InProcessCli.run("train", "--preset", preset, "--p", "11", "--d_model", "16",
                    "--n_heads", "2", "--d_mlp", "32", "--n_epochs", "25", "--checkpoint_every", "10", "--eval_every",
                    "3", "--lr", "0.01", "--device", "cpu", "--threads", "1", "--out", out.toString(), "--quiet");
            assertEquals(0, r.code(), r.err());
        }
        trained = new RunDirectory(tmp.resolve("paper"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"paper", "tl-demo"})
    void tlDemoExportImportsBackBitForBit(String preset) {
        RunDirectory run = new RunDirectory(tmp.resolve(preset));
        Path file = tmp.resolve(preset + "-export.pth");
        InProcessCli.Result e = InProcessCli.run("export", run.root().toString(), "--format", "tl-demo", "--out",
                file.toString(), "--quiet");
        assertEquals(0, e.code(), e.err());
        RunDirectory back = new RunDirectory(tmp.resolve(preset + "-back"));
        InProcessCli.Result i = InProcessCli.run("import", file.toString(), "--out", back.root().toString(), "--quiet");
        assertEquals(0, i.code(), i.err());
        assertEquals(run.readConfig().toBuilder().build().toJson(), withAnyDevice(back.readConfig(), run.readConfig())
                .toJson(), "the run's config comes back");
        assertSameWeights(run, back);
        assertArrayEquals(SplitFiles.read(run.split(), 11).train(), SplitFiles.read(back.split(), 11).train());
        History a = History.read(run.history());
        History b = History.read(back.history());
        assertEquals(a.size(), b.size());
        for (int k = 0; k < a.size(); k++) {
            assertEquals(a.trainLoss(k), b.trainLoss(k), "train loss " + k);
            assertEquals(Double.isNaN(a.testLoss(k)), Double.isNaN(b.testLoss(k)), "test evaluated at " + k);
            if (!Double.isNaN(a.testLoss(k))) {
                assertEquals(a.testLoss(k), b.testLoss(k), "test loss " + k);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"transformer-lens", "paper"})
    void ptExportImportsBackBitForBit(String orientation) {
        Path dir = tmp.resolve("pt-" + orientation);
        InProcessCli.Result e = InProcessCli.run("export", trained.root().toString(), "--format", "pt", "--orientation",
                orientation, "--out", dir.toString(), "--quiet");
        assertEquals(0, e.code(), e.err());
        for (Path ck : trained.checkpointFiles()) {
            long epoch = Checkpoints.epochOf(ck);
            Path pt = dir.resolve("checkpoint_epoch_" + epoch + ".pt");
            assertTrue(Files.exists(pt), pt.toString());
            RunDirectory back = new RunDirectory(tmp.resolve("pt-back-" + orientation + "-" + epoch));
            InProcessCli.Result i = InProcessCli.run("import", pt.toString(), "--out", back.root().toString(),
                    "--epoch", Long.toString(epoch), "--quiet");
            assertEquals(0, i.code(), i.err());
            assertArrayEquals(Checkpoints.read(ck).state().params(),
                    Checkpoints.read(back.checkpoint(epoch)).state().params(), "checkpoint " + epoch);
            Map<?, ?> sd = (Map<?, ?>) TorchFile.read(pt);
            assertEquals(orientation.equals("paper") ? 2 : 3,
                    ((TorchTensor) sd.get("blocks.0.attn.W_O")).rank(), "orientation of W_O");
        }
        InProcessCli.Result again = InProcessCli.run("export", trained.root().toString(), "--format", "pt", "--out",
                dir.toString(), "--quiet");
        assertEquals(2, again.code(), "existing files are not replaced without --force");
        assertTrue(again.err().contains("use --force"), again.err());
    }

    @Test
    void badExportRequestsAreOneLineErrors() {
        InProcessCli.Result r = InProcessCli.run("export", trained.root().toString(), "--format", "onnx", "--out", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--format must be tl-demo or pt"), r.err());
        r = InProcessCli.run("export", tmp.resolve("nothing").toString(), "--format", "pt", "--out", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
        r = InProcessCli.run("export", trained.root().toString(), "--format", "tl-demo", "--orientation", "paper",
                "--out", "x");
        assertEquals(2, r.code());
    }

    private static void assertSameWeights(RunDirectory a, RunDirectory b) {
        List<Path> fa = a.checkpointFiles();
        List<Path> fb = b.checkpointFiles();
        assertEquals(fa.size(), fb.size());
        for (int i = 0; i < fa.size(); i++) {
            Checkpoints.Checkpoint ca = Checkpoints.read(fa.get(i));
            Checkpoints.Checkpoint cb = Checkpoints.read(fb.get(i));
            assertEquals(ca.epoch(), cb.epoch());
            assertArrayEquals(ca.state().params(), cb.state().params(), "checkpoint " + ca.epoch() + " bit for bit");
        }
    }

    /** Import sets device auto; the rest of the config must be the exported run's. */
    private static RunConfig withAnyDevice(RunConfig imported, RunConfig original) {
        RunConfig.Builder b = imported.toBuilder();
        b.device = original.device();
        b.threads = original.threads();
        return b.build();
    }
}
