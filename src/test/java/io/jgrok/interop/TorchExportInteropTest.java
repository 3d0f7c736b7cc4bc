package io.jgrok.interop;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.InProcessCli;
import io.jgrok.Tolerances;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ./jgrok export} as PyTorch sees it (src/test/resources/torch/check_export.py under torch.load): the
 * TransformerLens demo layout with the demo's loading code (keys, shapes, values equal to the safetensors
 * checkpoints, zero biases, mask and IGNORE buffers, split, losses), per-checkpoint state dicts loaded with
 * weights_only=True in both orientations, and the paper-orientation file through tools/load_jgrok_checkpoint.py,
 * whose logits must match the CPU engine's. Skipped when no Python with PyTorch is available.
 */
class TorchExportInteropTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsTorch() {
        String reason = TorchPython.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    @Test
    void torchLoadsWhatJgrokExports() throws Exception {
        Path run = tmp.resolve("run");
        cli("train", "--p", "11", "--d_model", "16", "--n_heads", "2", "--d_mlp", "32", "--n_epochs", "21",
                "--checkpoint_every", "10", "--eval_every", "2", "--lr", "0.01", "--device", "cpu", "--threads", "1",
                "--out", run.toString(), "--quiet");
        Path demo = tmp.resolve("demo.pth");
        cli("export", run.toString(), "--format", "tl-demo", "--out", demo.toString(), "--quiet");
        cli("export", run.toString(), "--format", "pt", "--out", tmp.resolve("pt").toString(), "--quiet");
        cli("export", run.toString(), "--format", "pt", "--orientation", "paper", "--out",
                tmp.resolve("pt-paper").toString(), "--quiet");
        TorchPython.Result r = TorchPython.run(List.of("src/test/resources/torch/check_export.py", run.toString(),
                demo.toString(), tmp.resolve("pt").toString(), tmp.resolve("pt-paper").toString()));
        assertEquals(0, r.exitCode(), "check_export.py failed:\n" + r.stderr());
        String[] lines = r.stdout().strip().split("\n");
        JsonObject out = new Gson().fromJson(lines[lines.length - 1], JsonObject.class);

        RunDirectory dir = new RunDirectory(run);
        Checkpoints.Checkpoint ck = Checkpoints.read(dir.checkpoint(out.get("epoch").getAsLong()));
        JsonArray pairs = out.getAsJsonArray("pairs");
        JsonArray logits = out.getAsJsonArray("logits");
        int p = ck.config().p();
        int nOut = ck.config().nOutputs();
        int[] idx = new int[pairs.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = pairs.get(i).getAsJsonArray().get(0).getAsInt() * p + pairs.get(i).getAsJsonArray().get(1)
                    .getAsInt();
        }
        float[] ours;
        try (CpuEngine engine = new CpuEngine(ck.config(), Split.of(ck.config()))) {
            ours = engine.logits(ck.state().params(), idx);
        }
        for (int i = 0; i < idx.length; i++) {
            JsonArray row = logits.get(i).getAsJsonArray();
            assertEquals(nOut, row.size());
            for (int c = 0; c < nOut; c++) {
                double want = ours[i * nOut + c];
                assertEquals(want, row.get(c).getAsDouble(), Tolerances.FLOAT32_REL * Math.max(1, Math.abs(want)),
                        "logit " + c + " of pair " + i);
            }
        }
    }

    private static void cli(String... args) {
        InProcessCli.Result r = InProcessCli.run(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
    }
}
