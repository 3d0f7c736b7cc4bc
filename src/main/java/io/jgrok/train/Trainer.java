package io.jgrok.train;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.config.SplitMethod;
import io.jgrok.data.Split;
import io.jgrok.engine.Engine;
import io.jgrok.engine.EngineFactory;
import io.jgrok.engine.Engines;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.IoErrors;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import io.jgrok.io.WriteError;
import io.jgrok.io.WriterLock;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import io.jgrok.util.Progress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The training loop around an {@link Engine}: run directory, history, checkpoints, progress, and the rules that
 * make a run survive (resume from the newest intact checkpoint, a checkpoint on SIGINT/SIGTERM, a clean stop on
 * NaN/Inf). History is always written before the checkpoint of the same epoch, so the history file never has
 * fewer epochs than the newest checkpoint; on resume it is cut back to that checkpoint's epoch.
 */
public final class Trainer {
    /** How a run ended. */
    public enum Status {
        DONE, INTERRUPTED, DIVERGED
    }

    public record Outcome(Status status, long epochsDone, double wallSeconds, double epochsPerSecond) {
    }

    /**
     * Console and behaviour options (not part of the run's config).
     *
     * @param onEpochs called on the training thread with the number of epochs the run holds, when training starts
     *                 and after each chunk of epochs (a sweep's progress); must be cheap
     * @param engines  opens the engine for the run: {@link Engines#open} for a run of its own; a sweep that steps
     *                 several models together hands each run's trainer a view of its shared engine
     * @param quiet    print no config, engine line or progress, only what must be seen (resuming, the result,
     *                 warnings and errors): {@code --quiet}
     */
    public record Options(boolean progressBar, PrintStream out, PrintStream err, LongConsumer onEpochs,
                          EngineFactory engines, boolean quiet) {
        public Options(boolean progressBar, PrintStream out, PrintStream err, LongConsumer onEpochs,
                       EngineFactory engines) {
            this(progressBar, out, err, onEpochs, engines, false);
        }

        public Options(boolean progressBar, PrintStream out, PrintStream err) {
            this(progressBar, out, err, epochs -> { }, Engines::open);
        }
    }

    private final RunConfig config;
    private final RunDirectory dir;
    private final Options options;
    private volatile boolean stopRequested;

    private Trainer(RunConfig config, RunDirectory dir, Options options) {
        this.config = config;
        this.dir = dir;
        this.options = options;
    }

    /**
     * Starts a new run in {@code dir}. Refuses a directory that already holds a run unless {@code force}, and a
     * directory that another process is training in any case ({@link TrainingLock}).
     *
     * @param initFile  weights to start from instead of the seeded init (TransformerLens names), or null
     * @param splitFile train indices to use instead of the config's split, or null
     */
    public static Outcome start(RunConfig config, RunDirectory dir, Path initFile, Path splitFile, boolean force,
                                Options options) {
        try (WriterLock owner = TrainingLock.acquire(dir, TrainingLock.TRAIN, force, options.err())) {
            return start(owner, config, dir, initFile, splitFile, force, options);
        }
    }

    /** {@link #start(RunConfig, RunDirectory, Path, Path, boolean, Options)} for a caller that holds dir's lock. */
    public static Outcome start(WriterLock owner, RunConfig config, RunDirectory dir, Path initFile, Path splitFile,
                                boolean force, Options options) {
        TrainingLock.requireHeld(owner, dir);
        if (dir.holdsRun()) {
            if (!force) {
                String what = sameConfig(dir, config) ? "already holds this run" : "already holds a different run";
                throw new UserError("output directory " + dir.root() + " " + what + "; use --resume "
                        + dir.root() + " to continue it, or --force to start over (deletes its outputs)");
            }
            try {
                dir.clearRun();
            } catch (IOException e) {
                throw new UserError("cannot clear " + dir.root() + ": " + IoErrors.describe(e, dir.root()));
            }
        }
        dir.removeStaleTemporaries();
        if (!config.isPrime()) {
            options.err().println("jgrok: warning: p = " + config.p() + " is not prime; training works, but the "
                    + "Fourier analysis assumes a prime modulus");
        }
        Split split = splitFile == null ? Split.of(config) : SplitFiles.read(splitFile, config.p());
        String splitSource = splitFile == null
                ? String.format(Locale.ROOT, "%s, data_seed %d, train_fraction %s",
                        config.split() == SplitMethod.PYTHON_SHUFFLE ? "python-shuffle" : "torch-randperm",
                        config.dataSeed(), config.trainFraction())
                : String.format(Locale.ROOT, "split file %s (%d train pairs; the config's train_fraction and split "
                        + "do not apply)", splitFile.toAbsolutePath(), split.trainSize());
        if (splitFile != null && !options.quiet()) {
            options.out().println("  split      " + splitSource);
        }
        float[] params = initFile == null ? Initializer.initialParameters(config)
                : Checkpoints.readWeights(initFile, config);
        try {
            // config.json last: it marks the directory as holding a run, so a start killed before it leaves a
            // directory that a plain restart reuses, and one killed after it has everything --resume needs.
            SplitFiles.write(dir.split(), split, splitSource);
            if (initFile != null) {
                Checkpoints.write(dir.initialWeights(), config, -1, TrainingState.fresh(params));
            }
            AtomicFiles.writeString(dir.config(), config.toJson());
            Files.createDirectories(dir.checkpoints());
            Files.createDirectories(dir.logs());
        } catch (IOException e) {
            throw WriteStops.atStart(dir, e);
        }
        Trainer t = new Trainer(config, dir, options);
        return t.run(split, TrainingState.fresh(params), new History(), 0);
    }

    /**
     * Continues the run in {@code dir} from its newest intact checkpoint (older ones are tried if the newest is
     * damaged). {@code nEpochs}, if positive, extends or shortens the run's length.
     */
    public static Outcome resume(RunDirectory dir, int nEpochs, Options options) {
        if (!Files.exists(dir.config())) {
            // Checked before locking too, so that a mistyped path creates nothing.
            throw new UserError("--resume " + dir.root() + ": no run there (config.json is missing)");
        }
        try (WriterLock owner = TrainingLock.acquire(dir, TrainingLock.TRAIN, false, options.err())) {
            return resume(owner, dir, nEpochs, options);
        }
    }

    /** {@link #resume(RunDirectory, int, Options)} for a caller that holds dir's lock. */
    public static Outcome resume(WriterLock owner, RunDirectory dir, int nEpochs, Options options) {
        TrainingLock.requireHeld(owner, dir);
        if (!Files.exists(dir.config())) {
            throw new UserError("--resume " + dir.root() + ": no run there (config.json is missing)");
        }
        int stale = dir.removeStaleTemporaries();
        if (stale > 0) {
            options.err().println("jgrok: removed " + stale + " temporary file(s) left by an interrupted write");
        }
        RunConfig config = dir.readConfig();
        if (nEpochs > 0) {
            config = withEpochs(config, nEpochs);
        }
        Split split = SplitFiles.read(dir.split(), config.p());
        List<Path> files = dir.checkpointFiles();
        for (int i = files.size() - 1; i >= 0; i--) {
            Path f = files.get(i);
            Checkpoints.Checkpoint ck;
            try {
                ck = Checkpoints.read(f);
            } catch (UserError e) {
                options.err().println("jgrok: skipping damaged checkpoint: " + e.getMessage());
                continue;
            }
            if (!sameShape(ck.config(), config)) {
                throw new UserError("checkpoint " + f + " was written with a different config than "
                        + dir.config());
            }
            History history = Files.exists(dir.history()) ? History.read(dir.history()) : new History();
            history.truncateAfter(ck.epoch());
            if (history.size() != ck.epoch() + 1) {
                throw new UserError("history " + dir.history() + " has " + history.size() + " epochs but checkpoint "
                        + f.getFileName() + " needs " + (ck.epoch() + 1) + "; the run cannot be resumed exactly");
            }
            long held = ck.epoch() + 1;
            if (nEpochs > 0 && nEpochs < held) {
                throw new UserError("--n_epochs " + nEpochs + " is fewer than the " + held + " epochs " + dir.root()
                        + " already holds; a run cannot be shortened (pass --n_epochs N with N > " + held
                        + " to extend it, or analyse an earlier checkpoint with ./jgrok analyze --checkpoint E)");
            }
            if (held >= config.nEpochs()) {
                options.out().println("jgrok: run " + dir.root() + " is already complete (" + held + " epochs); "
                        + "pass --n_epochs N with N > " + held + " to extend it");
                return new Outcome(Status.DONE, held, 0, 0);
            }
            options.out().println("jgrok: resuming " + dir.root() + " from " + f.getFileName() + " (epoch "
                    + (ck.epoch() + 1) + " of " + config.nEpochs() + ")");
            if (ck.state().step() == 0) {
                // Only an imported checkpoint is like this: jgrok's own checkpoint E has taken E + 1 steps.
                options.err().println("jgrok: note: " + f.getFileName() + " has no optimiser state (it was imported "
                        + "from a file without one); AdamW starts afresh (zero moments, step 0"
                        + (config.warmupSteps() > 0 ? ", so the " + config.warmupSteps() + "-step warmup runs again"
                        : "") + ")");
            }
            if (nEpochs > 0) {
                writeConfig(dir, config);
            }
            return new Trainer(config, dir, options).run(split, ck.state(), history, ck.epoch() + 1);
        }
        // No intact checkpoint: nothing of value was lost; start again from the same initial weights.
        options.out().println("jgrok: no intact checkpoint in " + dir.checkpoints() + "; restarting the run from "
                + "epoch 0");
        float[] params = Files.exists(dir.initialWeights())
                ? Checkpoints.read(dir.initialWeights()).state().params()
                : Initializer.initialParameters(config);
        if (nEpochs > 0) {
            writeConfig(dir, config);
        }
        return new Trainer(config, dir, options).run(split, TrainingState.fresh(params), new History(), 0);
    }

    private static void writeConfig(RunDirectory dir, RunConfig config) {
        try {
            AtomicFiles.writeString(dir.config(), config.toJson());
        } catch (IOException e) {
            throw WriteStops.duringTraining(dir, dir.config(), e);
        }
    }

    private static RunConfig withEpochs(RunConfig c, int nEpochs) {
        RunConfig.Builder b = c.toBuilder();
        b.nEpochs = nEpochs;
        return b.build();
    }

    private static boolean sameShape(RunConfig a, RunConfig b) {
        return withEpochs(a, 1).equals(withEpochs(b, 1));
    }

    private static boolean sameConfig(RunDirectory dir, RunConfig config) {
        try {
            return dir.readConfig().equals(config);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Outcome run(Split split, TrainingState state, History history, long firstEpoch) {
        PrintStream out = options.out();
        if (!options.quiet()) {
            out.println("jgrok train: " + dir.root());
            out.print(config.describe());
            ParamLayout layout = new ParamLayout(config);
            out.printf(Locale.ROOT, "  parameters %,d; train %d pairs, test %d pairs%n", layout.parameterCount(),
                    split.trainSize(), split.testSize());
        }
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "jgrok-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Engine engine = options.engines().open(config, split, options.err())) {
            if (!options.quiet()) {
                out.println("  engine     " + engine.description());
            }
            engine.setState(state);
            RunInfo info = RunInfo.begin(dir, engine, engine.description(), config.device(), firstEpoch,
                    config.nEpochs(), options.err());
            return loop(engine, history, firstEpoch, info);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting because of a signal; the hook is already running and now returns.
            }
        }
    }

    /** The training loop with its checkpoint writer, which is waited for on every way out. */
    private Outcome loop(Engine engine, History history, long firstEpoch, RunInfo info) {
        CheckpointWriter writer = new CheckpointWriter(dir, config);
        Outcome outcome;
        try {
            outcome = loop(engine, history, firstEpoch, info, writer);
        } catch (RuntimeException | Error e) {
            try {
                writer.close();  // a checkpoint being written when training failed is still written whole
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        writer.close();
        return outcome;
    }

    private Outcome loop(Engine engine, History history, long firstEpoch, RunInfo info,
                         CheckpointWriter writer) {
        final long n = config.nEpochs();
        long epoch = firstEpoch;
        long start = System.nanoTime();
        Status status = Status.DONE;
        long badEpoch = -1;
        options.onEpochs().accept(firstEpoch);
        try (Progress bar = Progress.create("train", "epochs", n, firstEpoch, options.progressBar())) {
            while (epoch < n) {
                if (stopRequested) {
                    status = Status.INTERRUPTED;
                    break;
                }
                long nextCheckpoint = epoch;
                while (!config.checkpointsAt(nextCheckpoint)) {
                    nextCheckpoint++;
                }
                int chunk = (int) Math.min(nextCheckpoint - epoch + 1, engine.preferredChunk());
                int before = history.size();
                int done = engine.runEpochs(epoch, chunk, history);
                for (int i = before; i < history.size(); i++) {
                    if (!finiteRow(history, i)) {
                        badEpoch = history.epoch(i);
                        break;
                    }
                }
                epoch += done;
                options.onEpochs().accept(epoch);
                bar.stepTo(epoch);
                bar.message(statusLine(history));
                if (badEpoch >= 0) {
                    status = Status.DIVERGED;
                    break;
                }
                if (config.checkpointsAt(epoch - 1)) {
                    if (!checkpoint(engine, history, epoch - 1, writer)) {
                        badEpoch = epoch - 1;
                        status = Status.DIVERGED;
                        break;
                    }
                }
            }
            if (status == Status.INTERRUPTED && epoch > firstEpoch && !config.checkpointsAt(epoch - 1)) {
                checkpoint(engine, history, epoch - 1, writer);
            }
            writer.finish();  // every checkpoint on disk before the run's status is
        } catch (WriteError e) {
            // Say so in run_info.json if the disk has room for that much (the failed write's temporary is gone).
            // A write fails in the background while the next chunk trains: the session counts as trained through
            // the checkpoint whose write failed, as when writes were synchronous.
            info.stop(e.detail());
            long trained = writer.failedEpoch() >= 0 ? writer.failedEpoch() + 1 : epoch;
            double wall = (System.nanoTime() - start) / 1e9;
            try {
                info.write(Status.INTERRUPTED.name().toLowerCase(Locale.ROOT), engine.description(), config.device(),
                        trained, config.nEpochs(), firstEpoch, wall, (trained - firstEpoch) / Math.max(wall, 1e-9));
            } catch (RuntimeException noRoomEvenForThat) {
                e.addSuppressed(noRoomEvenForThat);
            }
            throw e;
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double rate = (epoch - firstEpoch) / Math.max(wall, 1e-9);
        if (status == Status.DIVERGED) {
            writeHistory(history);
        }
        info.write(status.name().toLowerCase(Locale.ROOT), engine.description(), config.device(), epoch,
                config.nEpochs(), firstEpoch, wall, rate);
        PrintStream out = options.out();
        switch (status) {
            case DONE -> out.printf(Locale.ROOT, "jgrok: trained %d epochs in %.1f s (%.1f epochs/s); %s%n",
                    epoch - firstEpoch, wall, rate, statusLine(history));
            case INTERRUPTED -> options.err().printf(Locale.ROOT, "jgrok: stopped after epoch %d; checkpoint "
                    + "written. Resume with: ./jgrok train --resume %s%n", epoch - 1, dir.root());
            case DIVERGED -> throw new TrainingDiverged("training diverged at epoch " + badEpoch + " (NaN or Inf "
                    + "in the loss or the weights); " + setAsideDivergedCheckpoint(badEpoch));
        }
        return new Outcome(status, epoch, wall, rate);
    }

    /**
     * History row E is the loss of the weights in checkpoint E - 1 (written after epoch E - 1's step), so when row E
     * is not finite that checkpoint is not a good one even though its weights are finite (e.g. ~1e30): it is renamed
     * to diverged_checkpoint_epoch_E-1.safetensors, out of --resume's way but kept for a post-mortem. Says which
     * checkpoint is now the last good one.
     */
    private String setAsideDivergedCheckpoint(long badEpoch) {
        Path suspect = dir.checkpoint(badEpoch - 1);
        String setAside = "";
        if (badEpoch >= 1 && Files.exists(suspect)) {
            Path renamed = suspect.resolveSibling("diverged_" + suspect.getFileName());
            try {
                Files.move(suspect, renamed, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                setAside = "checkpoint " + (badEpoch - 1) + " (the weights that gave it) was renamed to "
                        + renamed.getFileName() + "; ";
            } catch (IOException e) {
                setAside = "checkpoint " + (badEpoch - 1) + " holds the weights that gave it and could not be renamed ("
                        + e.getMessage() + "); ";
            }
        }
        List<Path> left = dir.checkpointFiles();
        return setAside + (left.isEmpty() ? "no good checkpoint is left in " + dir.checkpoints()
                : "the last good checkpoint is " + left.get(left.size() - 1));
    }

    private boolean finiteRow(History h, int i) {
        if (!Double.isFinite(h.trainLoss(i))) {
            return false;
        }
        return !config.evaluatesTestAt(h.epoch(i)) || Double.isFinite(h.testLoss(i));
    }

    /**
     * Hands history then the checkpoint of {@code epoch} to the writer, which writes them while training goes on;
     * returns false (writing nothing) on non-finite weights. The state is read back from the engine here, at the end
     * of the chunk (a device engine has just waited for it to read the chunk's losses), so the next chunk starts as
     * soon as the copy is made.
     */
    private boolean checkpoint(Engine engine, History history, long epoch, CheckpointWriter writer) {
        TrainingState state = engine.state();
        for (float x : state.params()) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        writer.submit(epoch, history.snapshot(), state, config.saveGradients() ? engine.lastGradient() : null);
        return true;
    }

    private void writeHistory(History history) {
        try {
            history.write(dir.history());
        } catch (IOException e) {
            throw WriteStops.duringTraining(dir, dir.history(), e);
        }
    }

    private static String statusLine(History h) {
        if (h.size() == 0) {
            return "";
        }
        int i = h.size() - 1;
        double testLoss = Double.NaN;
        double testAcc = Double.NaN;
        for (int j = i; j >= 0; j--) {
            if (!Double.isNaN(h.testLoss(j))) {
                testLoss = h.testLoss(j);
                testAcc = h.testAcc(j);
                break;
            }
        }
        return String.format(Locale.ROOT, "train loss %.2e acc %.1f%%, test loss %.2e acc %.1f%%", h.trainLoss(i),
                100 * h.trainAcc(i), testLoss, 100 * testAcc);
    }

    /** Training produced NaN or Inf; the run directory keeps the last good checkpoint. */
    public static final class TrainingDiverged extends RuntimeException {
        public static final int EXIT_CODE = 3;

        TrainingDiverged(String message) {
            super(message);
        }
    }
}
