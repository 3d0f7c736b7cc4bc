package io.jgrok.torch;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.IoErrors;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import io.jgrok.util.Progress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jgrok export}: a run's checkpoints as PyTorch files, for tools that read those.
 * <ul>
 *   <li>{@code tl-demo}: one file in the TransformerLens grokking demo's layout ({@code config} as a plain dict
 *       that {@code HookedTransformer(...)} accepts, {@code model}, {@code checkpoints}, {@code checkpoint_epochs},
 *       {@code train_losses}, {@code test_losses}, {@code train_indices}, {@code test_indices}), TransformerLens
 *       names and orientation, so the demo's loading code runs unchanged on it. A key {@code jgrok} also holds the
 *       run's config (JSON), so that importing the file back gives the same run.</li>
 *   <li>{@code pt}: one state dict per checkpoint, {@code checkpoint_epoch_<E>.pt}, in TransformerLens's or the
 *       paper's orientation.</li>
 * </ul>
 */
public final class Exporter {
    public static final String FORMAT = "jgrok-export-1";

    public enum Format {
        TL_DEMO, PT
    }

    public record Options(Path runDir, Format format, Path out, StateDicts.Orientation orientation, boolean force,
                          boolean progressBar, PrintStream console) {
    }

    private Exporter() {
    }

    public static void run(Options o) {
        RunDirectory dir = new RunDirectory(o.runDir());
        if (!Files.isDirectory(dir.root())) {
            throw new UserError("run directory " + dir.root() + (Files.exists(dir.root()) ? " is a file, not a "
                    + "directory" : " does not exist"));
        }
        RunConfig config = dir.readConfig();
        List<Path> files = dir.checkpointFiles();
        if (files.isEmpty()) {
            throw new UserError(dir.root() + " has no checkpoints to export");
        }
        StateDicts.Shape shape = new StateDicts.Shape(config.p(), config.dModel(), config.nHeads(), config.dMlp(),
                config.nOutputs());
        checkOut(o);
        try {
            if (o.format() == Format.TL_DEMO) {
                tlDemo(dir, config, shape, files, o);
            } else {
                pt(config, shape, files, o);
            }
        } catch (IOException e) {
            io.jgrok.io.WriteError.throwIfDiskFull(e, "the run is untouched; the files written before it are whole "
                    + "(add --force to replace them)");
            throw new UserError("cannot write " + o.out() + ": " + IoErrors.describe(e), e);
        }
    }

    /** --out must be a file (tl-demo) or a directory (pt), below a directory, before anything is written. */
    private static void checkOut(Options o) {
        Path out = o.out().toAbsolutePath().normalize();
        boolean wantDirectory = o.format() == Format.PT;
        if (Files.exists(out) && Files.isDirectory(out) != wantDirectory) {
            throw new UserError("--out " + o.out() + " is a " + (wantDirectory ? "file" : "directory") + "; --format "
                    + (wantDirectory ? "pt writes a directory of state dicts" : "tl-demo writes one file"));
        }
        if (!wantDirectory) {
            refuseRunFile(out, o.out());
        }
        if (!wantDirectory && Files.exists(out) && !o.force()) {
            throw new UserError(o.out() + " exists; use --force to replace it");
        }
        for (Path p = out.getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new UserError("cannot write " + o.out() + ": " + p + " is a file, not a directory");
                }
                break;
            }
        }
    }

    /**
     * A run's own files (config, split, history, run info, lock, checkpoints) are never an export's target, --force or
     * not: replacing one would break that run, and its trainer may be writing it at this moment.
     */
    private static void refuseRunFile(Path out, Path given) {
        Path parent = out.getParent();
        for (Path root : new Path[] {parent, parent == null ? null : parent.getParent()}) {
            if (root == null) {
                continue;
            }
            RunDirectory run = new RunDirectory(root);
            boolean own = out.equals(run.config()) || out.equals(run.split()) || out.equals(run.initialWeights())
                    || out.equals(run.history()) || out.equals(run.runInfo()) || out.equals(run.lockFile())
                    || parent.equals(run.checkpoints()) && Checkpoints.epochOf(out) >= 0;
            if (own && run.holdsRun()) {
                throw new UserError("--out " + given + " is a file of the run in " + root + ", which export never "
                        + "replaces; choose another --out (e.g. " + root.resolve("export.pth") + ")");
            }
        }
    }

    private static void tlDemo(RunDirectory dir, RunConfig config, StateDicts.Shape shape, List<Path> files,
                               Options o) throws IOException {
        History history = History.read(dir.history());
        Split split = SplitFiles.read(dir.split(), config.p());
        List<Object> checkpoints = new ArrayList<>();
        List<Object> epochs = new ArrayList<>();
        try (Progress bar = Progress.create("export", "checkpoints", files.size(), 0, o.progressBar())) {
            for (Path f : files) {
                Checkpoints.Checkpoint ck = read(f, config);
                checkpoints.add(StateDicts.fromParams(ck.state().params(), shape,
                        StateDicts.Orientation.TRANSFORMER_LENS));
                epochs.add(ck.epoch());
                bar.stepTo(checkpoints.size());
            }
        }
        List<Object> train = new ArrayList<>();
        List<Object> test = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            train.add(history.trainLoss(i));
            test.add(history.testLoss(i));
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("config", tlConfig(config));
        root.put("model", checkpoints.get(checkpoints.size() - 1));
        root.put("checkpoints", checkpoints);
        root.put("checkpoint_epochs", epochs);
        root.put("train_losses", train);
        root.put("test_losses", test);
        root.put("train_indices", indices(split.train()));
        root.put("test_indices", indices(split.test()));
        Map<String, Object> jgrok = new LinkedHashMap<>();
        jgrok.put("format", FORMAT);
        jgrok.put("config", config.toJson());
        root.put("jgrok", jgrok);
        TorchWriter.write(o.out(), root);
        o.console().println("wrote " + o.out() + ": " + checkpoints.size() + " checkpoints (epochs " + epochs.get(0)
                + ".." + epochs.get(epochs.size() - 1) + "), " + history.size() + " epochs of losses, the split; "
                + "TransformerLens demo layout");
    }

    private static void pt(RunConfig config, StateDicts.Shape shape, List<Path> files, Options o)
            throws IOException {
        Files.createDirectories(o.out());
        if (!o.force()) {
            for (Path f : files) {
                Path target = o.out().resolve(name(Checkpoints.epochOf(f)));
                if (Files.exists(target)) {
                    throw new UserError(target + " exists; use --force to replace the files in " + o.out());
                }
            }
        }
        try (Progress bar = Progress.create("export", "checkpoints", files.size(), 0, o.progressBar())) {
            int done = 0;
            for (Path f : files) {
                Checkpoints.Checkpoint ck = read(f, config);
                TorchWriter.write(o.out().resolve(name(ck.epoch())),
                        StateDicts.fromParams(ck.state().params(), shape, o.orientation()));
                bar.stepTo(++done);
            }
        }
        o.console().println("wrote " + files.size() + " state dicts (" + o.orientation().label + " orientation) to "
                + o.out() + " as checkpoint_epoch_<E>.pt");
    }

    public static String name(long epoch) {
        return "checkpoint_epoch_" + epoch + ".pt";
    }

    private static Checkpoints.Checkpoint read(Path f, RunConfig config) {
        Checkpoints.Checkpoint ck = Checkpoints.read(f);
        if (ck.config().p() != config.p() || ck.config().dModel() != config.dModel()
                || ck.config().nHeads() != config.nHeads() || ck.config().dMlp() != config.dMlp()
                || ck.config().nOutputs() != config.nOutputs()) {
            throw new UserError("checkpoint " + f + " holds another model than the run's config.json");
        }
        return ck;
    }

    /** Keyword arguments of TransformerLens's HookedTransformerConfig for jgrok's model. */
    static Map<String, Object> tlConfig(RunConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n_layers", 1);
        m.put("n_heads", c.nHeads());
        m.put("d_model", c.dModel());
        m.put("d_head", c.dHead());
        m.put("d_mlp", c.dMlp());
        m.put("act_fn", "relu");
        m.put("normalization_type", null);
        m.put("d_vocab", c.p() + 1);
        m.put("d_vocab_out", c.nOutputs());
        m.put("n_ctx", c.nCtx());
        m.put("seed", c.seed());
        return m;
    }

    private static TorchTensor indices(int[] idx) {
        long[] l = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            l[i] = idx[i];
        }
        return TorchTensor.ofLongs(new int[] {idx.length}, l);
    }
}
