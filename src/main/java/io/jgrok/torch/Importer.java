package io.jgrok.torch;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.UserError;
import io.jgrok.analysis.CrossEntropy;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.config.SplitMethod;
import io.jgrok.config.TestTiming;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.IoErrors;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import io.jgrok.io.WriteError;
import io.jgrok.io.WriterLock;
import io.jgrok.model.TrainingState;
import io.jgrok.train.TrainingLock;
import io.jgrok.util.Progress;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code jgrok import}: turns a PyTorch file ({@link TorchRun}) into an ordinary run directory: config.json,
 * split.json, logs/training_history.json (the losses as the file has them, with accuracies recomputed where a
 * checkpoint gives the weights), one checkpoint per model at its epoch (with the optimizer state when the file
 * has one) and logs/run_info.json, whose {@code imported_from} records the source. Everything is written into a
 * temporary directory beside the target and moved into place only when complete, so a bad file writes nothing.
 */
public final class Importer {
    /** What an import records in the run directory's lock file while it moves the run in. */
    public static final String HOLDER = "jgrok import";
    /**
     * The final model's recomputed train loss and the file's last recorded one are one optimiser step apart; more
     * than this factor between them means the split is not the run's (the paper's low-precision run: 6.9x with
     * data_seed 0, 1.03x with its seed, 1).
     */
    static final double SPLIT_SUSPECT_RATIO = 2.0;

    private Importer() {
    }

    /**
     * What the user passed; null fields were not given.
     *
     * @param bareEpoch epoch of a model whose file does not say (a bare state dict)
     */
    public record Options(Path file, Path out, Long dataSeed, Double trainFraction, String preset, Long bareEpoch,
                          boolean force, boolean progressBar, PrintStream console, PrintStream err) {
    }

    /** What was imported (for tests and the command's output). */
    public record Result(RunConfig config, TorchRun run, Split split, History history, Evaluation finalModel,
                         JsonObject source) {
    }

    /** Losses (over all output logits, as the history has them) and accuracies of one model. */
    public record Evaluation(double trainLoss, double trainAcc, double testLoss, double testAcc, double allAcc) {
    }

    public static Result run(Options o) {
        RunDirectory target = new RunDirectory(o.out());
        // Before the file is read (which takes a while on a large one): a --out that cannot take the run fails now.
        Path staging = stage(target, o.force());
        boolean installed = false;
        try {
            Result result = run(o, target, staging);
            installed = true;
            return result;
        } finally {
            if (!installed) {
                deleteTree(staging);
            }
        }
    }

    private static Result run(Options o, RunDirectory target, Path staging) {
        String sha256 = sha256(o.file());
        Object root = TorchFile.read(o.file());
        String name = o.file().getFileName().toString();
        TorchRun run = TorchRun.of(root, name, o.bareEpoch() == null ? 0 : o.bareEpoch());
        List<String> fromFlags = new ArrayList<>();
        RunConfig config = config(run, o, name, fromFlags);
        Split split = split(run, config, name);
        PrintStream out = o.console();
        out.println("jgrok import: " + o.file() + " (" + run.layout.label + ", " + run.orientation.label
                + " orientation, " + run.checkpoints.size() + " model(s), epochs " + run.checkpoints.firstKey()
                + ".." + run.lastEpoch() + ")");
        out.println("  model      " + run.shape + (run.mlpBiasesTrained ? "" : ", MLP biases zero (frozen)")
                + " (from the tensors)");
        for (String f : fromFlags) {
            out.println("  not in the file: " + f);
        }
        for (String n : run.notes) {
            out.println("  note: " + n);
        }
        if (run.optimizer == null) {
            out.println("  note: the file has no optimizer state; train --resume starts AdamW afresh");
        }

        Accuracies acc = accuracies(run, config, split, o.progressBar());
        History history = history(run, config, acc);
        Evaluation last = acc.last();
        JsonObject source = source(o.file(), sha256, run, config, history, last, fromFlags);
        write(staging, target, o.force(), config, split, history, run, source, o.err());

        out.print(config.describe());
        out.printf(Locale.ROOT, "  final model (checkpoint %d): accuracy %.4f%% over all %d pairs (train %.4f%%, "
                        + "test %.4f%%)%n", run.lastEpoch(), 100 * last.allAcc(), config.p() * config.p(),
                100 * last.trainAcc(), 100 * last.testAcc());
        out.printf(Locale.ROOT, "  its losses, recomputed: train %.6e, test %.6e; the file's last recorded: train %s, "
                        + "test %s (%s)%n", last.trainLoss(), last.testLoss(), fmt(lastFinite(run.trainLosses)),
                fmt(lastFinite(run.testLosses)), lossTiming(config));
        double recorded = run.trainLosses == null || run.lastEpoch() != run.trainLosses.length - 1 ? Double.NaN
                : run.trainLosses[run.trainLosses.length - 1];
        if (run.trainIndices == null && Double.isFinite(recorded) && recorded > 0
                && Math.abs(Math.log(last.trainLoss() / recorded)) > Math.log(SPLIT_SUSPECT_RATIO)) {
            // One step apart the two losses are close; a factor of several means the train set is not the run's.
            o.err().printf(Locale.ROOT, "jgrok: warning: the final model's train loss on this split (%.3e) is %.1fx "
                    + "the file's last recorded one (%.3e): the run probably used another split; check --data_seed "
                    + "and --train_fraction%n", last.trainLoss(), last.trainLoss() / recorded, recorded);
        }
        out.println("wrote " + o.out() + ": " + run.checkpoints.size() + " checkpoint(s), history of "
                + history.size() + " epochs; next: ./jgrok analyze " + o.out());
        return new Result(config, run, split, history, last, source);
    }

    private static String lossTiming(RunConfig c) {
        return c.testTiming() == TestTiming.AFTER_STEP
                ? "the file's train loss is of the weights before the last step, its test loss after it"
                : "the file logs losses before each step, so its last ones are of the weights one step earlier";
    }

    // ---- config -------------------------------------------------------------------------------------------------

    private static RunConfig config(TorchRun run, Options o, String name, List<String> fromFlags) {
        StateDicts.Shape s = run.shape;
        checkFileConfig(run, name);
        RunConfig.Builder b;
        if (run.jgrokConfig != null) {
            if (o.preset() != null) {
                throw new UserError(name + " is a jgrok export and carries its run's config; --preset does not "
                        + "apply");
            }
            b = RunConfig.fromJson(run.jgrokConfig, name + ": its jgrok config").toBuilder();
        } else {
            Preset preset = o.preset() != null ? Preset.named(o.preset())
                    : run.orientation == StateDicts.Orientation.PAPER ? Preset.PAPER : Preset.TL_DEMO;
            b = preset.defaults().toBuilder();
            if (run.layout == TorchRun.Layout.TL_DEMO && o.preset() == null) {
                b.preset = Preset.TL_DEMO.label;
            }
        }
        b.p = s.p();
        b.dModel = s.dModel();
        b.nHeads = s.nHeads();
        b.dMlp = s.dMlp();
        b.equalsLogit = s.nOutputs() == s.p() + 1;
        if (run.jgrokConfig == null) {
            b.trainMlpBiases = run.mlpBiasesTrained;
        } else if (!b.trainMlpBiases && run.mlpBiasesTrained) {
            throw new UserError(name + ": its jgrok config freezes the MLP biases at zero, but they are not zero");
        }
        Map<String, Object> fc = run.config;
        if (run.optimizer != null) {
            TorchRun.Optimizer opt = run.optimizer;
            b.lr = opt.lr() != null ? opt.lr() : b.lr;
            b.weightDecay = opt.weightDecay() != null ? opt.weightDecay() : b.weightDecay;
            b.beta1 = opt.beta1() != null ? opt.beta1() : b.beta1;
            b.beta2 = opt.beta2() != null ? opt.beta2() : b.beta2;
            b.adamEps = opt.eps() != null ? opt.eps() : b.adamEps;
        } else {
            b.lr = number(fc, "lr", b.lr);
            b.weightDecay = number(fc, "weight_decay", b.weightDecay);
        }
        if (run.layout == TorchRun.Layout.TL_DEMO && fc.get("seed") instanceof Number seed) {
            b.seed = seed.longValue();  // TransformerLens's init seed (the weights come from the file anyway)
        }
        // The split.
        Double fileFraction = fc.get("frac_train") instanceof Number f ? f.doubleValue() : null;
        if (run.trainIndices != null) {
            if (o.dataSeed() != null) {
                throw new UserError(name + " gives its split (train indices); --data_seed does not apply");
            }
            int n = run.trainIndices.length;
            if (o.trainFraction() != null && trainSize(o.trainFraction(), s.p()) != n) {
                throw new UserError("--train_fraction " + o.trainFraction() + " gives "
                        + trainSize(o.trainFraction(), s.p()) + " training pairs, but " + name
                        + " has " + n);
            }
            b.trainFraction = fractionFor(n, s.p(), fileFraction != null ? fileFraction : b.trainFraction);
        } else {
            if (fileFraction != null && o.trainFraction() != null && !fileFraction.equals(o.trainFraction())) {
                throw new UserError("--train_fraction " + o.trainFraction() + " contradicts " + name
                        + "'s config (frac_train " + fileFraction + ")");
            }
            if (fileFraction != null) {
                b.trainFraction = fileFraction;
            } else if (o.trainFraction() != null) {
                b.trainFraction = o.trainFraction();
                fromFlags.add("train_fraction " + o.trainFraction() + " (--train_fraction)");
            } else {
                fromFlags.add("train_fraction " + b.trainFraction + " (the " + b.preset + " preset's)");
            }
            Long fileSeed = run.layout != TorchRun.Layout.TL_DEMO && fc.get("seed") instanceof Number n
                    ? n.longValue() : null;
            if (fileSeed != null && o.dataSeed() != null && !fileSeed.equals(o.dataSeed())) {
                throw new UserError("--data_seed " + o.dataSeed() + " contradicts " + name + "'s config (seed "
                        + fileSeed + ", the split seed of the paper's code)");
            }
            if (fileSeed != null) {
                b.dataSeed = fileSeed;
            } else if (o.dataSeed() != null) {
                b.dataSeed = o.dataSeed();
                fromFlags.add("data_seed " + o.dataSeed() + " (--data_seed)");
            } else {
                fromFlags.add("data_seed " + b.dataSeed + " (the " + b.preset + " preset's; give --data_seed if the "
                        + "run used another split seed)");
            }
        }
        if (run.jgrokConfig == null) {
            b.split = run.orientation == StateDicts.Orientation.PAPER && run.layout != TorchRun.Layout.TL_DEMO
                    ? SplitMethod.PYTHON_SHUFFLE : b.split;
        }
        // Length and sampling of the history.
        int rows = historyRows(run);
        b.nEpochs = rows;
        if (run.jgrokConfig != null) {
            // A jgrok export: its config already says how often the run evaluated and checkpointed (the TransformerLens
            // layout has a test-loss entry per epoch, NaN where it was not evaluated).
            return b.build();
        }
        b.evalEvery = evalEvery(run, rows, name, b.evalEvery);
        if (run.checkpoints.size() > 1) {
            Long gap = null;
            Long prev = null;
            for (long e : run.checkpoints.keySet()) {
                if (prev != null) {
                    long g = e - prev;
                    gap = gap == null || gap == g ? Long.valueOf(g) : Long.valueOf(-1);
                }
                prev = e;
            }
            if (gap != null && gap > 0 && gap <= Integer.MAX_VALUE) {
                b.checkpointEvery = (int) (long) gap;
            }
        }
        b.device = "auto";
        return b.build();
    }

    /** Python's int(train_fraction * p * p), as RunConfig counts training pairs. */
    private static int trainSize(double fraction, int p) {
        return (int) Math.floor(fraction * p * p);
    }

    /** The train_fraction to record: the usual value when it gives n pairs, else one that does. */
    private static double fractionFor(int n, int p, double preferred) {
        if (trainSize(preferred, p) == n) {
            return preferred;
        }
        return (n + 0.5) / ((double) p * p);
    }

    /** The file's own config must describe the tensors' model (and one jgrok models). */
    private static void checkFileConfig(TorchRun run, String name) {
        Map<String, Object> c = run.config;
        StateDicts.Shape s = run.shape;
        String where = name + "'s config";
        expectInt(c, "p", s.p(), where);
        expectInt(c, "d_model", s.dModel(), where);
        expectInt(c, "d_mlp", s.dMlp(), where);
        expectInt(c, "num_heads", s.nHeads(), where);
        expectInt(c, "n_heads", s.nHeads(), where);
        expectInt(c, "d_head", s.dHead(), where);
        expectInt(c, "d_vocab", s.p() + 1, where);
        expectInt(c, "d_vocab_out", s.nOutputs(), where);
        expectInt(c, "n_ctx", 3, where);
        expectInt(c, "num_layers", 1, where);
        expectInt(c, "n_layers", 1, where);
        expectValue(c, "fn_name", "add", where, "jgrok's task is (a + b) mod p");
        expectValue(c, "act_type", "ReLU", where, "jgrok's MLP is ReLU");
        expectValue(c, "act_fn", "relu", where, "jgrok's MLP is ReLU");
        if (Boolean.TRUE.equals(c.get("use_ln"))) {
            throw new UserError(where + " has use_ln True; jgrok's model has no LayerNorm");
        }
        if (c.containsKey("normalization_type") && c.get("normalization_type") != null) {
            throw new UserError(where + " has normalization_type " + c.get("normalization_type")
                    + "; jgrok's model has no LayerNorm (None)");
        }
    }

    private static void expectInt(Map<String, Object> c, String key, long want, String where) {
        Object v = c.get(key);
        if (v != null && (!(v instanceof Number n) || n.doubleValue() != want)) {
            throw new UserError(where + " says " + key + " = " + v + ", but the tensors make it " + want);
        }
    }

    private static void expectValue(Map<String, Object> c, String key, String want, String where, String why) {
        Object v = c.get(key);
        if (v != null && !want.equals(v)) {
            throw new UserError(where + " has " + key + " = " + v + "; " + why);
        }
    }

    private static double number(Map<String, Object> c, String key, double fallback) {
        return c.get(key) instanceof Number n ? n.doubleValue() : fallback;
    }

    // ---- split and history ----------------------------------------------------------------------------------------

    private static Split split(TorchRun run, RunConfig config, String name) {
        if (run.trainIndices == null) {
            return Split.of(config);
        }
        String source = name + " (its train indices)";
        return run.testIndices == null ? Split.fromTrainIndices(config.p(), run.trainIndices, source)
                : Split.of(config.p(), run.trainIndices, run.testIndices, source);
    }

    private static int historyRows(TorchRun run) {
        long rows = run.lastEpoch() + 1;
        if (run.trainLosses != null) {
            rows = Math.max(rows, run.trainLosses.length);
        }
        if (rows > Integer.MAX_VALUE - 1) {
            throw new UserError("epoch " + run.lastEpoch() + " is too large");
        }
        return (int) rows;
    }

    /** Test losses may be sampled: every r epochs from epoch 0 when the file has fewer than one per epoch. */
    private static int evalEvery(TorchRun run, int rows, String name, int fallback) {
        if (run.testLosses == null || run.trainLosses == null || run.testLosses.length == 0) {
            return run.testLosses == null ? fallback : 1;
        }
        int m = run.testLosses.length;
        int n = run.trainLosses.length;
        if (m >= n) {
            if (m > rows) {
                throw new UserError(name + " has " + m + " test losses for " + rows + " epochs");
            }
            return 1;
        }
        int r = (n + m - 1) / m;
        if ((n + r - 1) / r != m) {
            throw new UserError(name + " has " + n + " training and " + m + " test losses; jgrok places test losses "
                    + "at every r-th epoch from epoch 0, and no r fits");
        }
        return r;
    }

    /** Per-row accuracies recomputed from the checkpoints (NaN where none applies) and the last model's numbers. */
    private record Accuracies(double[] train, double[] test, Evaluation last) {
    }

    private static History history(TorchRun run, RunConfig config, Accuracies acc) {
        History h = new History();
        int r = config.evalEvery();
        // One test entry per epoch (NaN where not evaluated, as jgrok exports), or one every r epochs.
        boolean perEpoch = run.testLosses != null && run.testLosses.length >= config.nEpochs();
        for (int e = 0; e < config.nEpochs(); e++) {
            double train = run.trainLosses != null && e < run.trainLosses.length ? run.trainLosses[e] : Double.NaN;
            double test = Double.NaN;
            if (perEpoch) {
                test = run.testLosses[e];
            } else if (run.testLosses != null && e % r == 0 && e / r < run.testLosses.length) {
                test = run.testLosses[e / r];
            }
            h.accept(e, train, acc.train()[e], test, acc.test()[e]);
        }
        return h;
    }

    /**
     * Accuracies of each checkpoint's weights, for the history row whose weights they are: checkpoint E holds the
     * weights after E + 1 steps, which row E + 1 measures (its test columns, when the test loss is taken after the
     * step, are row E's).
     */
    private static Accuracies accuracies(TorchRun run, RunConfig config, Split split, boolean progressBar) {
        int rows = config.nEpochs();
        double[] trainAcc = new double[rows];
        double[] testAcc = new double[rows];
        java.util.Arrays.fill(trainAcc, Double.NaN);
        java.util.Arrays.fill(testAcc, Double.NaN);
        boolean testAfter = config.testTiming() == TestTiming.AFTER_STEP;
        Evaluation last = null;
        try (CpuEngine engine = new CpuEngine(withThreads(config), split);
             Progress bar = Progress.create("accuracy", "checkpoints", run.checkpoints.size(), 0,
                     progressBar && run.checkpoints.size() > 1)) {
            int done = 0;
            for (Map.Entry<Long, float[]> c : run.checkpoints.entrySet()) {
                Evaluation ev = evaluate(engine, c.getValue(), split, config);
                long row = c.getKey() + 1;
                if (row < rows) {
                    trainAcc[(int) row] = ev.trainAcc();
                }
                long testRow = testAfter ? c.getKey() : row;
                if (testRow < rows && config.evaluatesTestAt(testRow)) {
                    testAcc[(int) testRow] = ev.testAcc();
                }
                last = ev;
                bar.stepTo(++done);
            }
        }
        return new Accuracies(trainAcc, testAcc, Objects.requireNonNull(last));
    }

    private static RunConfig withThreads(RunConfig c) {
        RunConfig.Builder b = c.toBuilder();
        b.threads = Math.max(1, Math.min(c.threads(), Runtime.getRuntime().availableProcessors()));
        return b.build();
    }

    /**
     * Loss over all output logits (the history's definition: the run's loss, softmax or StableMax cross-entropy, so
     * that it compares with the file's recorded losses), accuracy over the p number logits.
     */
    public static Evaluation evaluate(CpuEngine engine, float[] params, Split split, RunConfig config) {
        int p = config.p();
        int nOut = config.nOutputs();
        int[] all = new int[p * p];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        float[] logits = engine.logits(params, all);
        double[] row = new double[nOut];
        double[] loss = new double[all.length];
        boolean[] correct = new boolean[all.length];
        for (int i = 0; i < all.length; i++) {
            for (int c = 0; c < nOut; c++) {
                row[c] = logits[i * nOut + c];
            }
            int label = Split.label(i, p);
            loss[i] = CrossEntropy.loss(config.loss(), row, 0, nOut, label);
            correct[i] = CrossEntropy.correct(row, 0, p, label);
        }
        double[] tr = mean(loss, correct, split.train());
        double[] te = mean(loss, correct, split.test());
        int right = 0;
        for (boolean b : correct) {
            right += b ? 1 : 0;
        }
        return new Evaluation(tr[0], tr[1], te[0], te[1], (double) right / all.length);
    }

    private static double[] mean(double[] loss, boolean[] correct, int[] idx) {
        double l = 0;
        int c = 0;
        for (int i : idx) {
            l += loss[i];
            c += correct[i] ? 1 : 0;
        }
        return new double[] {l / idx.length, (double) c / idx.length};
    }

    // ---- files --------------------------------------------------------------------------------------------------

    private static JsonObject source(Path file, String sha256, TorchRun run, RunConfig config, History history,
                                     Evaluation last, List<String> fromFlags) {
        JsonObject o = new JsonObject();
        o.addProperty("file", file.getFileName().toString());
        o.addProperty("path", file.toAbsolutePath().toString());
        o.addProperty("sha256", sha256);
        o.addProperty("layout", run.layout.label);
        o.addProperty("orientation", run.orientation.label);
        if (run.configClass != null) {
            o.addProperty("config_class", run.configClass);
        }
        o.addProperty("checkpoints", run.checkpoints.size());
        o.addProperty("optimizer_state", run.optimizer != null);
        o.addProperty("imported", Instant.now().toString());
        JsonArray flags = new JsonArray();
        fromFlags.forEach(flags::add);
        o.add("not_in_file", flags);
        JsonArray notes = new JsonArray();
        run.notes.forEach(notes::add);
        o.add("notes", notes);
        JsonObject fin = new JsonObject();
        fin.addProperty("checkpoint", run.lastEpoch());
        fin.addProperty("accuracy_all", last.allAcc());
        fin.addProperty("train_accuracy", last.trainAcc());
        fin.addProperty("test_accuracy", last.testAcc());
        fin.addProperty("train_loss_recomputed", last.trainLoss());
        fin.addProperty("test_loss_recomputed", last.testLoss());
        addNumber(fin, "train_loss_last_recorded", lastFinite(run.trainLosses));
        addNumber(fin, "test_loss_last_recorded", lastFinite(run.testLosses));
        fin.addProperty("history_epochs", history.size());
        fin.addProperty("loss_timing", lossTiming(config));
        o.add("final", fin);
        return o;
    }

    private static void addNumber(JsonObject o, String key, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(key, v);
        } else {
            o.add(key, com.google.gson.JsonNull.INSTANCE);
        }
    }

    private static double lastFinite(double[] v) {
        if (v == null) {
            return Double.NaN;
        }
        for (int i = v.length - 1; i >= 0; i--) {
            if (Double.isFinite(v[i])) {
                return v[i];
            }
        }
        return Double.NaN;
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6e", v) : "none";
    }

    /**
     * Checks that {@code target} can take an imported run and creates the temporary directory beside it that the
     * run is built in: --out must be a directory (or not exist yet, below a directory), hold no run unless
     * {@code force}, and hold none of a run's entries otherwise, since those would be overwritten or mixed.
     */
    private static Path stage(RunDirectory target, boolean force) {
        Path root = target.root().toAbsolutePath().normalize();
        if (root.getParent() == null) {
            throw new UserError("cannot import into " + root + ": --out must be a directory below it");
        }
        for (Path p = root; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new UserError("cannot import into " + root + ": " + p + " is a file, not a directory");
                }
                break;
            }
        }
        TrainingLock.refuseIfBusy(target, force);
        checkNoRun(target, force);
        removeStaleStaging(root);
        Path tmp = root.getParent().resolve("." + root.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(root.getParent());
            Files.createDirectory(tmp);
        } catch (IOException e) {
            throw new UserError("cannot write the run into " + root + ": " + IoErrors.describe(e), e);
        }
        return tmp;
    }

    /**
     * {@code target} may take an imported run: it holds no run unless {@code force}, and none of a run's entries
     * otherwise, since those would be overwritten or mixed.
     */
    private static void checkNoRun(RunDirectory target, boolean force) {
        boolean replacing = target.holdsRun();
        if (replacing && !force) {
            throw new UserError("output directory " + target.root() + " already holds a run; use --force to replace "
                    + "it (deletes its outputs) or choose another --out");
        }
        if (!replacing) {
            for (Path entry : List.of(target.config(), target.split(), target.checkpoints(), target.logs())) {
                if (Files.exists(entry)) {
                    throw new UserError("output directory " + target.root() + " already has " + entry.getFileName()
                            + ", which an imported run would overwrite, but it holds no run; choose another --out");
                }
            }
        }
    }

    private static void write(Path tmp, RunDirectory target, boolean force, RunConfig config, Split split,
                              History history, TorchRun run, JsonObject source, PrintStream err) {
        try {
            RunDirectory staged = new RunDirectory(tmp);
            SplitFiles.write(staged.split(), split, "imported from " + source.get("file").getAsString() + ": "
                    + (run.trainIndices != null ? "the file's train indices"
                    : String.format(Locale.ROOT, "%s, data_seed %d, train_fraction %s",
                    config.split() == SplitMethod.PYTHON_SHUFFLE ? "python-shuffle" : "torch-randperm",
                    config.dataSeed(), config.trainFraction())));
            Files.createDirectories(staged.checkpoints());
            for (Map.Entry<Long, float[]> c : run.checkpoints.entrySet()) {
                boolean withOptimizer = run.optimizer != null && c.getKey() == run.lastEpoch();
                TrainingState state = withOptimizer
                        ? new TrainingState(c.getValue(), run.optimizer.exp_avg(), run.optimizer.exp_avg_sq(),
                        run.optimizer.step(), new float[0][])
                        : TrainingState.fresh(c.getValue());
                Checkpoints.write(staged.checkpoint(c.getKey()), config, c.getKey(), state);
            }
            history.write(staged.history());
            JsonObject info = new JsonObject();
            info.addProperty("status", "done");
            info.addProperty("engine", "imported from " + source.get("file").getAsString() + " ("
                    + run.layout.label + "); not trained by jgrok");
            info.addProperty("device", "none");
            info.addProperty("epochs_done", config.nEpochs());
            info.addProperty("n_epochs", config.nEpochs());
            info.addProperty("session_first_epoch", config.nEpochs());
            info.addProperty("session_wall_seconds", 0.0);
            info.addProperty("epochs_per_second", 0.0);
            info.addProperty("updated", Instant.now().toString());
            info.add("imported_from", source);
            AtomicFiles.writeString(staged.runInfo(), new GsonBuilder().setPrettyPrinting().create().toJson(info));
            AtomicFiles.writeString(staged.config(), config.toJson());
            // The run directory's writer lock, as train takes it, from the checks to the last move: a trainer (or
            // another import) on the same directory is refused, and --force never deletes a run being trained.
            try (WriterLock owner = TrainingLock.acquire(target, HOLDER, force, err)) {
                checkNoRun(target, force);
                install(tmp, target, force);
            }
        } catch (IOException e) {
            WriteError.throwIfDiskFull(e, "nothing was imported: the run was being assembled beside "
                    + target.root() + ", which is untouched");
            throw new UserError("cannot write " + target.root() + ": " + IoErrors.describe(e), e);
        }
    }

    /**
     * Moves the staged run into {@code target}: a rename when the target is absent or empty, else entry by entry
     * ({@link #stage} made sure none of them is there), config.json last.
     */
    private static void install(Path staged, RunDirectory target, boolean force) throws IOException {
        Path root = target.root();
        if (force && target.holdsRun()) {
            target.clearRun();
        }
        if (!Files.exists(root) || isEmptyDirectory(root)) {
            Files.deleteIfExists(root);
            Files.move(staged, root, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(staged)) {
            entries = new ArrayList<>(s.toList());
        }
        entries.sort(Comparator.comparing(p -> p.getFileName().toString().equals("config.json")));
        for (Path e : entries) {
            Files.move(e, root.resolve(e.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.delete(staged);
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        }
    }

    /**
     * Deletes what an import into {@code root} that was killed (SIGKILL, power loss) left beside it: its staging
     * directories, ".NAME.tmp-PID-*", whose process no longer runs (a whole run's checkpoints, possibly large).
     */
    private static void removeStaleStaging(Path root) {
        String prefix = "." + root.getFileName() + ".tmp-";
        if (!Files.isDirectory(root.getParent())) {
            return;
        }
        try (Stream<Path> s = Files.list(root.getParent())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p))
                    .toList()) {
                String rest = p.getFileName().toString().substring(prefix.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        deleteTree(p);
                    }
                } catch (NumberFormatException notOurs) {
                    // Named like ours but not by us: left alone.
                }
            }
        } catch (IOException ignored) {
            // Best effort: the import itself does not need the space back.
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // Best effort: a leftover temporary is named so that it is recognisably one.
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError(file + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
