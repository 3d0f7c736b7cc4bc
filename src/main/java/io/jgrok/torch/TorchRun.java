package io.jgrok.torch;

import io.jgrok.UserError;
import io.jgrok.model.ParamLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a PyTorch file says about a grokking run, whichever of the recognised layouts it has:
 * <ul>
 *   <li>a bare state dict (one model);</li>
 *   <li>the paper's training file ({@code transformers.py}: {@code model}, {@code train_losses},
 *       {@code test_losses}, optionally {@code config}, {@code optimizer}, {@code scheduler}, {@code epoch}; also its
 *       per-epoch and {@code init.pth} files);</li>
 *   <li>the paper notebook's run file ({@code state_dicts}, {@code epochs}, losses, {@code config});</li>
 *   <li>the TransformerLens demo file ({@code config}, {@code model}, {@code checkpoints},
 *       {@code checkpoint_epochs}, losses, {@code train_indices}, {@code test_indices}), which is also what
 *       {@code ./jgrok export --format tl-demo} writes (with its own config under {@code jgrok}).</li>
 * </ul>
 * Epochs follow the paper's convention, which jgrok's checkpoints share: checkpoint E holds the weights after
 * epoch E's optimiser step, and loss entry e was measured before epoch e's step (the TransformerLens demo measures
 * its test loss after the step).
 */
public final class TorchRun {
    public enum Layout {
        STATE_DICT("state dict"),
        PAPER_TRAINING("paper training file"),
        PAPER_NOTEBOOK("paper notebook run file"),
        TL_DEMO("TransformerLens demo file");

        public final String label;

        Layout(String label) {
            this.label = label;
        }
    }

    /** AdamW state of the final checkpoint, in jgrok's layout, and the hyperparameters the file recorded. */
    public record Optimizer(float[] exp_avg, float[] exp_avg_sq, long step, Double lr, Double beta1, Double beta2,
                            Double eps, Double weightDecay) {
    }

    public final Layout layout;
    public final StateDicts.Orientation orientation;
    public final StateDicts.Shape shape;
    /** Whether b_in/b_out were trained: always in the paper's code; in TransformerLens's files when non-zero. */
    public final boolean mlpBiasesTrained;
    /** Weights (jgrok's layout) by checkpoint epoch, ascending. */
    public final TreeMap<Long, float[]> checkpoints;
    /** Null when the file has no optimizer state. */
    public final Optimizer optimizer;
    /** Per-epoch training losses, null when absent. */
    public final double[] trainLosses;
    /** Test losses (possibly sampled every few epochs), null when absent. */
    public final double[] testLosses;
    /** The file's config as plain fields (a dict, or TransformerLens's config object's attributes); may be empty. */
    public final Map<String, Object> config;
    /** Python class of the config when it was an object, else null. */
    public final String configClass;
    /** Train and test indices a*p + b as the file gives them (TransformerLens demo), else null. */
    public final int[] trainIndices;
    public final int[] testIndices;
    /** The jgrok run config a jgrok export embeds (JSON), else null. */
    public final String jgrokConfig;
    /** Things the reader noticed that the user should know (ignored keys, inferred epochs). */
    public final List<String> notes;

    private TorchRun(Builder b) {
        this.layout = b.layout;
        this.orientation = b.orientation;
        this.shape = b.shape;
        this.mlpBiasesTrained = b.mlpBiasesTrained;
        this.checkpoints = b.checkpoints;
        this.optimizer = b.optimizer;
        this.trainLosses = b.trainLosses;
        this.testLosses = b.testLosses;
        this.config = b.config;
        this.configClass = b.configClass;
        this.trainIndices = b.trainIndices;
        this.testIndices = b.testIndices;
        this.jgrokConfig = b.jgrokConfig;
        this.notes = b.notes;
    }

    /**
     * Epochs a file may name: the history gets one row per epoch, so an epoch of two billion would ask for tens of
     * GB. Ten million is 200 times the longest run known (the paper's low-precision run, 50,000 epochs).
     */
    public static final long MAX_EPOCHS = 10_000_000;

    public long lastEpoch() {
        return checkpoints.lastKey();
    }

    private static final class Builder {
        Layout layout;
        StateDicts.Orientation orientation;
        StateDicts.Shape shape;
        boolean mlpBiasesTrained;
        final TreeMap<Long, float[]> checkpoints = new TreeMap<>();
        Optimizer optimizer;
        double[] trainLosses;
        double[] testLosses;
        Map<String, Object> config = new LinkedHashMap<>();
        String configClass;
        int[] trainIndices;
        int[] testIndices;
        String jgrokConfig;
        final List<String> notes = new ArrayList<>();
    }

    /**
     * Interprets an unpickled file. {@code bareEpoch} is the epoch to give a model whose file does not say (a bare
     * state dict, the paper's init file).
     */
    public static TorchRun of(Object root, String name, long bareEpoch) {
        Builder b = new Builder();
        if (StateDicts.isStateDict(root)) {
            b.layout = Layout.STATE_DICT;
            addCheckpoint(b, bareEpoch, (Map<?, ?>) root, name);
            return finish(b, name);
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new UserError(name + " holds a " + TorchUnpickler.typeName(root) + "; jgrok imports a state dict or "
                    + "a dict in the layout of the paper's training file, the paper notebook's run file or the "
                    + "TransformerLens demo file");
        }
        if (top.containsKey("checkpoints") || top.containsKey("checkpoint_epochs")) {
            b.layout = Layout.TL_DEMO;
            readTlDemo(b, top, name);
        } else if (top.containsKey("state_dicts")) {
            b.layout = Layout.PAPER_NOTEBOOK;
            readNotebook(b, top, name);
        } else if (top.containsKey("model")) {
            b.layout = Layout.PAPER_TRAINING;
            readTraining(b, top, name, bareEpoch);
        } else {
            throw new UserError(name + " is a dict with keys " + keys(top) + "; jgrok imports a state dict or a dict "
                    + "with 'model' (the paper's training file), 'state_dicts' (the paper notebook's run file) or "
                    + "'checkpoints' (the TransformerLens demo file)");
        }
        return finish(b, name);
    }

    private static void readTraining(Builder b, Map<?, ?> top, String name, long bareEpoch) {
        known(b, top, List.of("model", "train_losses", "test_losses", "config", "optimizer", "scheduler", "epoch",
                "train_loss", "test_loss", "train_data", "test_data"));
        b.trainLosses = losses(top.get("train_losses"), name, "train_losses");
        b.testLosses = losses(top.get("test_losses"), name, "test_losses");
        readConfig(b, top.get("config"), name);
        Long epochKey = top.get("epoch") == null ? null
                : checkedEpoch(whole(top.get("epoch"), name + ": epoch"), name + ": 'epoch'");
        long epoch;
        if (b.trainLosses != null) {
            // One loss per epoch, each before that epoch's step: the model is after the step of the last.
            epoch = b.trainLosses.length - 1;
            if (epochKey != null && epochKey != epoch && epochKey != epoch + 1) {
                b.notes.add("the file's 'epoch' is " + epochKey + " but it has " + b.trainLosses.length
                        + " training losses; the model is taken as checkpoint " + epoch + " (after "
                        + b.trainLosses.length + " steps)");
            }
        } else if (epochKey != null) {
            // A per-epoch file of the paper's trainer: saved after epoch E's step, with E's losses.
            epoch = epochKey;
            if (top.get("train_loss") != null) {
                b.trainLosses = single(epoch, number(top.get("train_loss"), name + ": train_loss"));
            }
            if (top.get("test_loss") != null) {
                b.testLosses = single(epoch, number(top.get("test_loss"), name + ": test_loss"));
            }
        } else {
            epoch = bareEpoch;
        }
        Map<?, ?> model = stateDict(top.get("model"), name + ": model");
        addCheckpoint(b, epoch, model, name + ": model");
        if (top.get("train_data") != null) {
            b.trainIndices = pairs(top.get("train_data"), name + ": train_data", b.shape.p());
            b.testIndices = top.get("test_data") == null ? null
                    : pairs(top.get("test_data"), name + ": test_data", b.shape.p());
        }
        if (top.get("optimizer") != null) {
            b.optimizer = optimizer(top.get("optimizer"), model, b, name + ": optimizer");
        }
    }

    private static void readNotebook(Builder b, Map<?, ?> top, String name) {
        known(b, top, List.of("state_dicts", "epochs", "train_losses", "test_losses", "config"));
        List<?> sds = list(top.get("state_dicts"), name + ": state_dicts");
        if (top.get("epochs") == null) {
            throw new UserError(name + " has 'state_dicts' but no 'epochs' saying which epoch each belongs to");
        }
        List<?> epochs = list(top.get("epochs"), name + ": epochs");
        if (epochs.size() != sds.size() || sds.isEmpty()) {
            throw new UserError(name + " has " + sds.size() + " state_dicts but " + epochs.size() + " epochs; "
                    + "they must pair up (and be at least one)");
        }
        b.trainLosses = losses(top.get("train_losses"), name, "train_losses");
        b.testLosses = losses(top.get("test_losses"), name, "test_losses");
        readConfig(b, top.get("config"), name);
        for (int i = 0; i < sds.size(); i++) {
            long e = whole(epochs.get(i), name + ": epochs[" + i + "]");
            addCheckpoint(b, e, stateDict(sds.get(i), name + ": state_dicts[" + i + "]"),
                    name + ": state_dicts[" + i + "]");
        }
    }

    private static void readTlDemo(Builder b, Map<?, ?> top, String name) {
        known(b, top, List.of("config", "model", "checkpoints", "checkpoint_epochs", "train_losses", "test_losses",
                "train_indices", "test_indices", "jgrok"));
        List<?> sds = list(top.get("checkpoints"), name + ": checkpoints");
        List<?> epochs = list(top.get("checkpoint_epochs"), name + ": checkpoint_epochs");
        if (epochs.size() != sds.size()) {
            throw new UserError(name + " has " + sds.size() + " checkpoints but " + epochs.size()
                    + " checkpoint_epochs; they must pair up");
        }
        b.trainLosses = losses(top.get("train_losses"), name, "train_losses");
        b.testLosses = losses(top.get("test_losses"), name, "test_losses");
        readConfig(b, top.get("config"), name);
        if (top.get("jgrok") instanceof Map<?, ?> j && j.get("config") instanceof String json) {
            b.jgrokConfig = json;
        }
        for (int i = 0; i < sds.size(); i++) {
            long e = whole(epochs.get(i), name + ": checkpoint_epochs[" + i + "]");
            addCheckpoint(b, e, stateDict(sds.get(i), name + ": checkpoints[" + i + "]"),
                    name + ": checkpoints[" + i + "]");
        }
        if (top.get("model") != null) {
            Map<?, ?> model = stateDict(top.get("model"), name + ": model");
            long last = b.trainLosses != null ? b.trainLosses.length - 1
                    : b.checkpoints.isEmpty() ? 0 : b.checkpoints.lastKey();
            float[] existing = b.checkpoints.get(last);
            if (existing == null) {
                addCheckpoint(b, last, model, name + ": model");
            } else if (!Arrays.equals(existing, params(b, model, name + ": model"))) {
                b.notes.add("'model' differs from the checkpoint of epoch " + last + "; the checkpoint is kept");
            }
        }
        if (top.get("train_indices") != null) {
            b.trainIndices = indices(top.get("train_indices"), name + ": train_indices");
        }
        if (top.get("test_indices") != null) {
            b.testIndices = indices(top.get("test_indices"), name + ": test_indices");
        }
        if (b.checkpoints.isEmpty()) {
            throw new UserError(name + " has no model: 'checkpoints' is empty and there is no 'model'");
        }
    }

    private static long checkedEpoch(long epoch, String where) {
        if (epoch < 0 || epoch >= MAX_EPOCHS) {
            throw new UserError(where + ": epoch " + epoch + " is out of range; jgrok imports epochs 0 to "
                    + (MAX_EPOCHS - 1) + " (the history holds one row per epoch)");
        }
        return epoch;
    }

    /** A model's weights in jgrok's layout; its orientation and shape must be those of the file's first model. */
    private static float[] params(Builder b, Map<?, ?> sd, String where) {
        StateDicts.Orientation o = StateDicts.orientation(sd, where);
        StateDicts.Shape s = StateDicts.shape(sd, o, where);
        if (b.orientation == null) {
            b.orientation = o;
            b.shape = s;
        } else if (b.orientation != o || !b.shape.equals(s)) {
            throw new UserError(where + " (" + o.label + ", " + s + ") differs from the file's first model ("
                    + b.orientation.label + ", " + b.shape + ")");
        }
        return StateDicts.toParams(sd, o, s, where);
    }

    private static void addCheckpoint(Builder b, long epoch, Map<?, ?> sd, String where) {
        checkedEpoch(epoch, where);
        if (b.checkpoints.containsKey(epoch)) {
            throw new UserError(where + ": a second model for epoch " + epoch);
        }
        float[] params = params(b, sd, where);
        b.checkpoints.put(epoch, params);
        ParamLayout layout = b.shape.layout();
        for (String bias : List.of(ParamLayout.B_IN, ParamLayout.B_OUT)) {
            for (float x : layout.extract(params, bias)) {
                if (x != 0f) {
                    b.mlpBiasesTrained = true;
                    break;
                }
            }
        }
    }

    private static TorchRun finish(Builder b, String name) {
        if (b.orientation == StateDicts.Orientation.PAPER) {
            b.mlpBiasesTrained = true;  // the paper's code trains them (they may still be zero at epoch 0)
        }
        return new TorchRun(b);
    }

    /**
     * The paper's AdamW state_dict: state keyed by parameter index (the model's parameters in registration order,
     * which is the state dict's order without its buffers), param_groups with the hyperparameters.
     */
    private static Optimizer optimizer(Object o, Map<?, ?> sd, Builder b, String where) {
        if (!(o instanceof Map<?, ?> opt) || !(opt.get("state") instanceof Map<?, ?> state)
                || !(opt.get("param_groups") instanceof List<?> groups) || groups.size() != 1
                || !(groups.get(0) instanceof Map<?, ?> group)) {
            throw new UserError(where + " is not an optimizer state_dict with 'state' and one param group");
        }
        if (Boolean.TRUE.equals(group.get("amsgrad")) || Boolean.TRUE.equals(group.get("maximize"))) {
            throw new UserError(where + " uses AdamW with amsgrad or maximize, which jgrok's AdamW does not "
                    + "implement");
        }
        List<String> paramNames = new ArrayList<>();
        for (Object k : sd.keySet()) {
            String n = String.valueOf(k);
            if (!n.equals(StateDicts.MASK) && !n.equals(StateDicts.IGNORE)) {
                paramNames.add(n);
            }
        }
        List<?> indices = group.get("params") instanceof List<?> l ? l : List.of();
        if (indices.size() != paramNames.size()) {
            throw new UserError(where + " covers " + indices.size() + " parameters but the model has "
                    + paramNames.size());
        }
        ParamLayout layout = b.shape.layout();
        float[] m = new float[layout.size()];
        float[] v = new float[layout.size()];
        long step = -1;
        for (int i = 0; i < paramNames.size(); i++) {
            String pname = paramNames.get(i);
            Object s = state.get(indices.get(i));
            if (s == null || !StateDicts.PARAMS.contains(pname)) {
                continue;  // no gradient yet, or a frozen zero bias jgrok does not have
            }
            if (!(s instanceof Map<?, ?> ps) || !(ps.get("exp_avg") instanceof TorchTensor ea)
                    || !(ps.get("exp_avg_sq") instanceof TorchTensor eas)) {
                throw new UserError(where + ": the state of parameter " + i + " (" + pname + ") lacks exp_avg or "
                        + "exp_avg_sq");
            }
            int[] want = StateDicts.tensor(sd, pname, where).shape();
            if (!Arrays.equals(ea.shape(), want) || !Arrays.equals(eas.shape(), want)
                    || ea.dtype() != Dtype.FLOAT32 || eas.dtype() != Dtype.FLOAT32) {
                throw new UserError(where + ": the state of parameter " + i + " does not fit " + pname + " "
                        + Arrays.toString(want) + " (float32)");
            }
            StateDicts.putTensor(m, layout, pname, ea.floats(), b.shape, b.orientation);
            StateDicts.putTensor(v, layout, pname, eas.floats(), b.shape, b.orientation);
            long ps2 = (long) number(ps.get("step"), where + ": step");
            if (step >= 0 && ps2 != step) {
                b.notes.add("optimizer steps differ between parameters (" + step + ", " + ps2 + "); using the larger");
            }
            step = Math.max(step, ps2);
        }
        if (step < 0) {
            b.notes.add("the optimizer state is empty (no step taken); AdamW starts fresh");
            return null;
        }
        Object betas = group.get("betas");
        Double b1 = null;
        Double b2 = null;
        if (betas instanceof Object[] bt && bt.length == 2) {
            b1 = number(bt[0], where + ": betas");
            b2 = number(bt[1], where + ": betas");
        }
        Object lr = group.get("initial_lr") != null ? group.get("initial_lr") : group.get("lr");
        return new Optimizer(m, v, step, optNumber(lr, where), b1, b2, optNumber(group.get("eps"), where),
                optNumber(group.get("weight_decay"), where));
    }

    private static void readConfig(Builder b, Object cfg, String name) {
        if (cfg == null) {
            return;
        }
        if (cfg instanceof PyObject po) {
            b.configClass = po.className();
            b.config.putAll(po.fields());
        } else if (cfg instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.config.put(String.valueOf(e.getKey()), e.getValue());
            }
        } else {
            throw new UserError(name + ": 'config' is a " + TorchUnpickler.typeName(cfg) + ", not a dict or a "
                    + "HookedTransformerConfig");
        }
    }

    private static void known(Builder b, Map<?, ?> top, List<String> keys) {
        List<String> other = new ArrayList<>();
        for (Object k : top.keySet()) {
            if (!keys.contains(String.valueOf(k))) {
                other.add(String.valueOf(k));
            }
        }
        if (!other.isEmpty()) {
            b.notes.add("ignored keys " + other);
        }
    }

    private static Map<?, ?> stateDict(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new UserError(where + " is a " + TorchUnpickler.typeName(o) + ", not a state dict");
        }
        return m;
    }

    private static List<?> list(Object o, String where) {
        if (o instanceof List<?> l) {
            return l;
        }
        if (o instanceof Object[] a) {
            return Arrays.asList(a);
        }
        throw new UserError(where + " is a " + TorchUnpickler.typeName(o) + ", not a list");
    }

    private static double[] losses(Object o, String name, String key) {
        if (o == null) {
            return null;
        }
        if (o instanceof TorchTensor t && t.rank() == 1 && (t.dtype() == Dtype.FLOAT32 || t.dtype() == Dtype.FLOAT64)) {
            double[] out = new double[(int) t.numel()];
            if (t.dtype() == Dtype.FLOAT32) {
                float[] f = t.floats();
                for (int i = 0; i < out.length; i++) {
                    out[i] = f[i];
                }
            } else {
                java.nio.ByteBuffer.wrap(t.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            }
            return out;
        }
        List<?> l = list(o, name + ": " + key);
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = l.get(i) == null ? Double.NaN : number(l.get(i), name + ": " + key + "[" + i + "]");
        }
        return out;
    }

    private static double[] single(long epoch, double value) {
        double[] out = new double[Math.toIntExact(epoch + 1)];
        Arrays.fill(out, Double.NaN);
        out[(int) epoch] = value;
        return out;
    }

    static double number(Object o, String where) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof TorchTensor t && t.numel() == 1) {
            return t.scalar();
        }
        throw new UserError(where + " is a " + TorchUnpickler.typeName(o) + ", not a number");
    }

    private static Double optNumber(Object o, String where) {
        return o == null ? null : number(o, where);
    }

    private static long whole(Object o, String where) {
        double d = number(o, where);
        if (d != Math.rint(d)) {
            throw new UserError(where + " is " + d + ", not a whole number");
        }
        return (long) d;
    }

    private static int[] indices(Object o, String where) {
        long[] raw;
        if (o instanceof TorchTensor t && t.rank() == 1) {
            if (t.dtype() == Dtype.FLOAT32 || t.dtype() == Dtype.FLOAT64 || t.dtype() == Dtype.FLOAT16
                    || t.dtype() == Dtype.BFLOAT16) {
                throw new UserError(where + " is a " + t.dtype() + " tensor; indices must be integers");
            }
            raw = t.longs();
        } else {
            List<?> l = list(o, where);
            raw = new long[l.size()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = whole(l.get(i), where + "[" + i + "]");
            }
        }
        int[] out = new int[raw.length];
        for (int i = 0; i < out.length; i++) {
            if (raw[i] < 0 || raw[i] > Integer.MAX_VALUE) {
                throw new UserError(where + "[" + i + "] = " + raw[i] + " is not a pair index a*p + b");
            }
            out[i] = (int) raw[i];
        }
        return out;
    }

    /** The paper's data lists: tuples (a, b, p) in the trainer's shuffled order. */
    private static int[] pairs(Object o, String where, int p) {
        List<?> l = list(o, where);
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Object[] t) || t.length != 3) {
                throw new UserError(where + "[" + i + "] is not a tuple (a, b, =)");
            }
            long a = whole(t[0], where);
            long bb = whole(t[1], where);
            if (a < 0 || a >= p || bb < 0 || bb >= p) {
                throw new UserError(where + "[" + i + "] = (" + a + ", " + bb + ") is out of range for p = " + p);
            }
            out[i] = (int) (a * p + bb);
        }
        return out;
    }

    private static String keys(Map<?, ?> m) {
        List<String> k = new ArrayList<>();
        for (Object o : m.keySet()) {
            k.add(String.valueOf(o));
        }
        return k.toString();
    }
}
