package io.jgrok.io;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checkpoints: one safetensors file per checkpoint epoch, {@code checkpoints/checkpoint_epoch_<E>.safetensors}.
 * Model tensors use TransformerLens names and shapes; AdamW moments are stored beside them as
 * {@code optimizer.exp_avg.<name>} and {@code optimizer.exp_avg_sq.<name>}, Grokfast state as
 * {@code grokfast.<i>.<name>}. The metadata holds the run config (JSON), the epoch, the optimiser step count and
 * a checksum of the data.
 *
 * <p>Checkpoint E is taken after epoch E's optimiser step (the paper's convention), so it holds the weights after
 * E + 1 steps; checkpoint 0 equals the initial weights because the first step runs at learning rate 0.
 */
public final class Checkpoints {
    public static final String FORMAT = "jgrok-checkpoint-1";
    public static final String ADAM_M = "optimizer.exp_avg.";
    public static final String ADAM_V = "optimizer.exp_avg_sq.";
    public static final String GROKFAST = "grokfast.";
    /** Prefix of the loss gradient tensors ({@code train --save_gradients}). */
    public static final String GRADIENT = "grad.";

    private Checkpoints() {
    }

    /** A checkpoint as loaded: the run's config, its epoch label and the full training state. */
    public record Checkpoint(RunConfig config, long epoch, TrainingState state) {
    }

    public static String fileName(long epoch) {
        return "checkpoint_epoch_" + epoch + ".safetensors";
    }

    /** Epoch label of a checkpoint file name, or -1 if the name is not one of ours. */
    public static long epochOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith("checkpoint_epoch_") || !name.endsWith(".safetensors")) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring("checkpoint_epoch_".length(), name.length() - ".safetensors".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public static void write(Path file, RunConfig config, long epoch, TrainingState state) throws IOException {
        write(file, config, epoch, state, null);
    }

    /**
     * As above, plus {@code grad.<name>} tensors of {@code gradient} (flat layout; null for none): the full-batch
     * loss gradient of epoch E's optimiser step, evaluated at the weights before that step.
     */
    public static void write(Path file, RunConfig config, long epoch, TrainingState state, float[] gradient)
            throws IOException {
        ParamLayout layout = new ParamLayout(config);
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        putAll(tensors, "", layout, state.params());
        putAll(tensors, ADAM_M, layout, state.adamM());
        putAll(tensors, ADAM_V, layout, state.adamV());
        for (int i = 0; i < state.grokfast().length; i++) {
            putAll(tensors, GROKFAST + i + ".", layout, state.grokfast()[i]);
        }
        if (gradient != null) {
            putAll(tensors, GRADIENT, layout, gradient);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("epoch", Long.toString(epoch));
        meta.put("step", Long.toString(state.step()));
        meta.put("param_count", Long.toString(layout.parameterCount()));
        meta.put("config", config.toJson());
        Safetensors.write(file, tensors, meta);
    }

    private static void putAll(Map<String, Safetensors.Tensor> out, String prefix, ParamLayout layout, float[] buf) {
        for (ParamLayout.Tensor t : layout.tensors()) {
            out.put(prefix + t.name(), new Safetensors.Tensor(t.shape(), Arrays.copyOfRange(buf, t.offset(), t.end())));
        }
    }

    /**
     * jgrok writes a data checksum into every checkpoint and Safetensors verifies it when present; a jgrok
     * checkpoint without one has had its header rewritten, so its data cannot be trusted either.
     */
    private static void requireChecksum(Safetensors.Contents c, Path file) {
        if (!c.metadata().containsKey(Safetensors.CHECKSUM_KEY)) {
            throw new UserError("checkpoint " + file + " has no data checksum ('" + Safetensors.CHECKSUM_KEY
                    + "' metadata), which every jgrok checkpoint carries: it was altered; use an intact checkpoint");
        }
    }

    /** Loads a jgrok checkpoint with its optimiser state, checking every tensor against the embedded config. */
    public static Checkpoint read(Path file) {
        Safetensors.Contents c = Safetensors.read(file);
        String configJson = c.metadata().get("config");
        if (!FORMAT.equals(c.metadata().get("format")) || configJson == null) {
            throw new UserError("checkpoint " + file + " is not a jgrok checkpoint (no '" + FORMAT
                    + "' metadata); use --init for weights from elsewhere");
        }
        requireChecksum(c, file);
        RunConfig config = RunConfig.fromJson(configJson, "checkpoint " + file + ": its config");
        long epoch = parseLong(c.metadata().get("epoch"), file, "epoch");
        long step = parseLong(c.metadata().get("step"), file, "step");
        ParamLayout layout = new ParamLayout(config);
        float[] params = gather(c, "", layout, file, true);
        float[] m = gather(c, ADAM_M, layout, file, true);
        float[] v = gather(c, ADAM_V, layout, file, true);
        int nGrok = 0;
        while (c.tensors().containsKey(GROKFAST + nGrok + "." + ParamLayout.W_E)) {
            nGrok++;
        }
        float[][] grok = new float[nGrok][];
        for (int i = 0; i < nGrok; i++) {
            grok[i] = gather(c, GROKFAST + i + ".", layout, file, true);
        }
        return new Checkpoint(config, epoch, new TrainingState(params, m, v, step, grok));
    }

    /**
     * Model weights from any safetensors file with TransformerLens names (a jgrok checkpoint, or one exported from
     * PyTorch), for {@code --init}. Shapes must match {@code config}; other tensors (e.g. TransformerLens's
     * attention biases) must be absent or all zero, since this model has no such parameters.
     */
    public static float[] readWeights(Path file, RunConfig config) {
        Safetensors.Contents c = Safetensors.read(file);
        if (FORMAT.equals(c.metadata().get("format"))) {
            requireChecksum(c, file);
        }
        ParamLayout layout = new ParamLayout(config);
        float[] params;
        try {
            params = gather(c, "", layout, file, true);
        } catch (UserError e) {
            String fit = fittingFlags(c, config);
            throw fit == null ? e : new UserError(e.getMessage() + "; the file's weights fit " + fit, e);
        }
        for (Map.Entry<String, Safetensors.Tensor> e : c.tensors().entrySet()) {
            String name = e.getKey();
            boolean known = layout.tensors().stream().anyMatch(t -> t.name().equals(name))
                    || name.startsWith(ADAM_M) || name.startsWith(ADAM_V) || name.startsWith(GROKFAST)
                    || name.startsWith(GRADIENT);
            if (!known) {
                for (float x : e.getValue().data()) {
                    if (x != 0f && name.matches(".*\\.b_[A-Za-z]+$")) {
                        throw new UserError(file + ": tensor " + name + " is non-zero, but this model has no such "
                                + "bias; only " + ParamLayout.B_IN + " and " + ParamLayout.B_OUT + " exist");
                    }
                }
            }
        }
        return params;
    }

    /**
     * The loss gradient stored in a checkpoint by {@code train --save_gradients} (flat layout), or null when the
     * checkpoint has none.
     */
    public static float[] readGradient(Path file) {
        Safetensors.Contents c = Safetensors.read(file);
        RunConfig config = RunConfig.fromJson(c.metadata().get("config"), "checkpoint " + file + ": its config");
        ParamLayout layout = new ParamLayout(config);
        if (!c.tensors().containsKey(GRADIENT + ParamLayout.W_E)) {
            return null;
        }
        return gather(c, GRADIENT, layout, file, true);
    }

    /**
     * The train flags whose model has the shapes of the weights in {@code c} ("--p 23 --d_model 32 --n_heads 4
     * --d_mlp 64"), read off embed.W_E [p+1, d], W_Q [heads, d, d/heads], W_in [d, d_mlp] and W_U [d, outputs];
     * null when those tensors are missing or inconsistent. --equals_logit is named when it differs from
     * {@code config}'s.
     */
    static String fittingFlags(Safetensors.Contents c, RunConfig config) {
        Safetensors.Tensor we = c.tensors().get(ParamLayout.W_E);
        Safetensors.Tensor wq = c.tensors().get(ParamLayout.W_Q);
        Safetensors.Tensor win = c.tensors().get(ParamLayout.W_IN);
        Safetensors.Tensor wu = c.tensors().get(ParamLayout.W_U);
        if (we == null || wq == null || win == null || wu == null || we.shape().length != 2
                || wq.shape().length != 3 || win.shape().length != 2 || wu.shape().length != 2) {
            return null;
        }
        int p = we.shape()[0] - 1;
        int d = we.shape()[1];
        int outputs = wu.shape()[1];
        if (p < 2 || wq.shape()[1] != d || win.shape()[0] != d || wu.shape()[0] != d
                || (outputs != p && outputs != p + 1)) {
            return null;
        }
        return "--p " + p + " --d_model " + d + " --n_heads " + wq.shape()[0] + " --d_mlp " + win.shape()[1]
                + ((outputs == p + 1) != config.equalsLogit() ? " --equals_logit " + (outputs == p + 1) : "");
    }

    private static float[] gather(Safetensors.Contents c, String prefix, ParamLayout layout, Path file,
                                  boolean required) {
        float[] buf = new float[layout.size()];
        for (ParamLayout.Tensor t : layout.tensors()) {
            Safetensors.Tensor st = c.tensors().get(prefix + t.name());
            if (st == null) {
                if (!required) {
                    continue;
                }
                throw new UserError("checkpoint " + file + " has no tensor " + prefix + t.name());
            }
            if (!Arrays.equals(st.shape(), t.shape())) {
                throw new UserError("checkpoint " + file + ": tensor " + prefix + t.name() + " has shape "
                        + Arrays.toString(st.shape()) + " but the config needs " + Arrays.toString(t.shape()));
            }
            System.arraycopy(st.data(), 0, buf, t.offset(), t.size());
        }
        return buf;
    }

    private static long parseLong(String s, Path file, String key) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException | NullPointerException e) {
            throw new UserError("checkpoint " + file + " has no valid '" + key + "' in its metadata");
        }
    }
}
