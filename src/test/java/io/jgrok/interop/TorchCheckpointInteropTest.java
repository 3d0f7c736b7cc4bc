package io.jgrok.interop;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.Tolerances;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.Safetensors;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * jgrok checkpoints load in plain PyTorch (tools/load_jgrok_checkpoint.py): the logits PyTorch computes from a
 * checkpoint match the CPU engine's, the TransformerLens config and state dict it reports have the right shapes
 * (with the biases jgrok lacks present and zero), and the file it exports is accepted back by
 * {@link Checkpoints#readWeights} (what {@code --init} uses) with bit-identical weights. Skipped when no Python with
 * PyTorch is available.
 */
class TorchCheckpointInteropTest {
    private static final String SCRIPT = "tools/load_jgrok_checkpoint.py";

    @TempDir
    Path dir;

    @BeforeEach
    void needsTorch() {
        String reason = TorchPython.unavailableReason();
        assumeTrue(reason == null, reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"paper", "tl-demo"})
    void pytorchReproducesLogitsAndExportRoundTrips(String preset) throws Exception {
        RunConfig config = configFor(preset);
        ParamLayout layout = new ParamLayout(config);
        TrainingState state = stateWithNonZeroBiases(config, layout);
        Path checkpoint = dir.resolve(Checkpoints.fileName(100));
        Checkpoints.write(checkpoint, config, 100, state);

        int p = config.p();
        int[][] pairs = {{0, 0}, {3, 5}, {p - 1, p - 1}, {50, 67}, {18, 34}, {112, 1}, {7, 0}, {0, 99}};
        List<String> args = new ArrayList<>(List.of(SCRIPT, checkpoint.toString(), "--json", "--pairs"));
        int[] indices = new int[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            args.add(pairs[i][0] + "," + pairs[i][1]);
            indices[i] = pairs[i][0] * p + pairs[i][1];
        }
        Path exported = dir.resolve("exported.safetensors");
        args.add("--export");
        args.add(exported.toString());
        TorchPython.Result r = TorchPython.run(args);
        assertEquals(0, r.exitCode(), SCRIPT + " failed:\n" + r.stderr());
        JsonObject out = new Gson().fromJson(r.stdout(), JsonObject.class);

        // TransformerLens config and state dict.
        JsonObject tl = out.getAsJsonObject("tl_config");
        assertEquals(1, tl.get("n_layers").getAsInt());
        assertEquals(config.dModel(), tl.get("d_model").getAsInt());
        assertEquals(config.nHeads(), tl.get("n_heads").getAsInt());
        assertEquals(config.dHead(), tl.get("d_head").getAsInt());
        assertEquals(config.dMlp(), tl.get("d_mlp").getAsInt());
        assertEquals(config.vocabIn(), tl.get("d_vocab").getAsInt());
        assertEquals(config.nOutputs(), tl.get("d_vocab_out").getAsInt());
        assertEquals(3, tl.get("n_ctx").getAsInt());
        assertEquals("relu", tl.get("act_fn").getAsString());
        assertTrue(tl.get("normalization_type").isJsonNull());
        JsonObject sd = out.getAsJsonObject("state_dict");
        for (ParamLayout.Tensor t : layout.tensors()) {
            assertArrayEquals(t.shape(), ints(sd.getAsJsonArray(t.name())), t.name());
        }
        int[] headBias = {config.nHeads(), config.dHead()};
        assertArrayEquals(headBias, ints(sd.getAsJsonArray("blocks.0.attn.b_Q")));
        assertArrayEquals(headBias, ints(sd.getAsJsonArray("blocks.0.attn.b_K")));
        assertArrayEquals(headBias, ints(sd.getAsJsonArray("blocks.0.attn.b_V")));
        assertArrayEquals(new int[] {config.dModel()}, ints(sd.getAsJsonArray("blocks.0.attn.b_O")));
        assertArrayEquals(new int[] {config.nOutputs()}, ints(sd.getAsJsonArray("unembed.b_U")));

        // Logits: PyTorch from the checkpoint vs the CPU engine from the same weights.
        JsonArray rows = out.getAsJsonArray("logits");
        assertEquals(pairs.length, rows.size());
        float[] theirs = new float[pairs.length * config.nOutputs()];
        for (int i = 0; i < pairs.length; i++) {
            JsonArray row = rows.get(i).getAsJsonArray();
            assertEquals(config.nOutputs(), row.size());
            for (int j = 0; j < row.size(); j++) {
                theirs[i * config.nOutputs() + j] = row.get(j).getAsFloat();
            }
        }
        float[] mine;
        try (CpuEngine engine = new CpuEngine(config, Split.of(config))) {
            mine = engine.logits(state.params(), indices);
        }
        double err = Tolerances.relativeError(mine, theirs, Tolerances.FLOAT32_ABS_FLOOR);
        if (Boolean.getBoolean("jgrok.test.verbose")) {
            System.out.printf(java.util.Locale.ROOT, "interop %s: logits max rel err %.3e%n", preset, err);
        }
        assertTrue(err <= Tolerances.FLOAT32_REL, preset + ": PyTorch logits differ from jgrok's by " + err);

        // The export goes back in through --init's reader, unchanged; the TL-only biases are there and zero.
        float[] back = Checkpoints.readWeights(exported, config);
        assertArrayEquals(state.params(), back, "weights after jgrok -> PyTorch -> safetensors -> jgrok");
        Safetensors.Contents c = Safetensors.read(exported);
        for (String bias : new String[] {"blocks.0.attn.b_Q", "blocks.0.attn.b_O", "unembed.b_U"}) {
            Safetensors.Tensor t = c.tensors().get(bias);
            assertNotNull(t, bias + " missing from the export");
            for (float x : t.data()) {
                assertEquals(0f, x, bias);
            }
        }
    }

    @Test
    void missingFileIsAOneLineError() throws Exception {
        Path missing = dir.resolve("nope.safetensors");
        TorchPython.Result r = TorchPython.run(List.of(SCRIPT, missing.toString()));
        assertEquals(2, r.exitCode(), "stderr: " + r.stderr());
        assertEquals(1, r.stderr().strip().split("\n").length, "one line, no traceback: " + r.stderr());
    }

    private static RunConfig configFor(String preset) {
        RunConfig.Builder b = Preset.named(preset).defaults().toBuilder();
        b.device = "cpu";
        b.threads = 1;
        b.seed = 11;
        return b.build();
    }

    /** Seeded init, MLP biases and Adam moments made non-zero so that every tensor's transport is visible. */
    private static TrainingState stateWithNonZeroBiases(RunConfig config, ParamLayout layout) {
        float[] params = Initializer.initialParameters(config);
        Random rnd = new Random(5);
        for (String bias : new String[] {ParamLayout.B_IN, ParamLayout.B_OUT}) {
            ParamLayout.Tensor t = layout.tensor(bias);
            for (int i = t.offset(); i < t.end(); i++) {
                params[i] = (float) (0.1 * rnd.nextGaussian());
            }
        }
        float[] m = new float[layout.size()];
        float[] v = new float[layout.size()];
        for (ParamLayout.Tensor t : layout.tensors()) {
            for (int i = t.offset(); i < t.end(); i++) {
                m[i] = (float) (1e-3 * rnd.nextGaussian());
                v[i] = (float) (1e-6 * rnd.nextDouble());
            }
        }
        return new TrainingState(params, m, v, 101, new float[0][]);
    }

    private static int[] ints(JsonArray a) {
        assertNotNull(a);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
