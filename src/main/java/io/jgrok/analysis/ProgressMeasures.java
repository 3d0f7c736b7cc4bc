package io.jgrok.analysis;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.model.ParamLayout;
import io.jgrok.util.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The progress measures over every checkpoint of a run, with the key frequencies fixed (from the final model).
 * Checkpoints go to the backend in batches of {@link AnalysisBackend#preferredBatch()}; the next batch is read from
 * disk on a separate thread while the current one is measured.
 */
public final class ProgressMeasures {
    private ProgressMeasures() {
    }

    /** One checkpoint's measures. */
    public record Row(long epoch, LogitMeasures logits, WeightMeasures weights) {
    }

    private record Loaded(long[] epochs, float[][] params) {
    }

    /** Extra work on each batch of checkpoints once its measures are done (the AGOP pass). */
    @FunctionalInterface
    public interface BatchHook {
        void accept(long[] epochs, float[][] params);
    }

    /** What to do with a checkpoint that cannot be read (truncated, corrupted): throw, or note it and go on. */
    @FunctionalInterface
    public interface Damaged {
        /** Called on the reading thread; returning (not throwing) leaves the checkpoint out of the rows. */
        void skip(Path file, UserError damage);
    }

    /** As the seven-argument {@code compute}, with a damaged checkpoint an error and no batch hook. */
    public static List<Row> compute(AnalysisBackend backend, RunConfig config, List<Path> checkpoints,
                                    AblationPlan plan, Progress progress) {
        return compute(backend, config, checkpoints, plan, progress, (file, damage) -> {
            throw damage;
        }, null);
    }

    /**
     * The measures of every readable checkpoint, in order. A checkpoint that cannot be read goes to {@code damaged},
     * which either throws or lets the rows go on without it; every batch goes to {@code hook} as well (null for
     * none).
     */
    public static List<Row> compute(AnalysisBackend backend, RunConfig config, List<Path> checkpoints,
                                    AblationPlan plan, Progress progress, Damaged damaged, BatchHook hook) {
        ParamLayout layout = new ParamLayout(config);
        int batch = Math.max(1, backend.preferredBatch());
        List<Row> rows = new ArrayList<>(checkpoints.size());
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jgrok-checkpoint-reader");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<Loaded> next = load(reader, config, layout, checkpoints, 0, batch, damaged);
            for (int start = 0; start < checkpoints.size(); start += batch) {
                Loaded current = join(next);
                next = load(reader, config, layout, checkpoints, start + batch, batch, damaged);
                if (current.epochs().length == 0) {
                    continue;
                }
                LogitMeasures[] lm = backend.logitMeasures(backend.logits(current.params()), plan);
                WeightMeasures[] wm = backend.weightMeasures(current.params());
                if (hook != null) {
                    hook.accept(current.epochs(), current.params());
                }
                for (int i = 0; i < lm.length; i++) {
                    rows.add(new Row(current.epochs()[i], lm[i], wm[i]));
                }
                progress.stepTo(Math.min(checkpoints.size(), start + batch));
                Row last = rows.get(rows.size() - 1);
                progress.message(String.format(java.util.Locale.ROOT, "epoch %d: test loss %.2e, restricted loss %.2e",
                        last.epoch(), last.logits().lossTest(), last.logits().restrictedLoss()));
            }
        } finally {
            reader.shutdownNow();
        }
        return rows;
    }

    private static CompletableFuture<Loaded> load(ExecutorService reader, RunConfig config, ParamLayout layout,
                                                  List<Path> files, int from, int batch, Damaged damaged) {
        int to = Math.min(files.size(), from + batch);
        if (from >= to) {
            return CompletableFuture.completedFuture(new Loaded(new long[0], new float[0][]));
        }
        return CompletableFuture.supplyAsync(() -> {
            List<Long> epochs = new ArrayList<>();
            List<float[]> params = new ArrayList<>();
            for (int i = from; i < to; i++) {
                Checkpoints.Checkpoint ck;
                try {
                    ck = Checkpoints.read(files.get(i));
                } catch (UserError damage) {
                    damaged.skip(files.get(i), damage);
                    continue;
                }
                requireSameShape(config, ck.config(), files.get(i));
                if (ck.state().params().length != layout.size()) {
                    throw new UserError("checkpoint " + files.get(i) + " does not match the run's parameter layout");
                }
                epochs.add(ck.epoch());
                params.add(ck.state().params());
            }
            return new Loaded(epochs.stream().mapToLong(Long::longValue).toArray(), params.toArray(new float[0][]));
        }, reader);
    }

    private static Loaded join(CompletableFuture<Loaded> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    /** Checkpoints of one run must share the model's shape (p, widths, outputs). */
    static void requireSameShape(RunConfig expected, RunConfig actual, Path file) {
        if (expected.p() != actual.p() || expected.dModel() != actual.dModel() || expected.nHeads() != actual.nHeads()
                || expected.dMlp() != actual.dMlp() || expected.nOutputs() != actual.nOutputs()) {
            throw new UserError("checkpoint " + file + " has a different model shape from the analysed checkpoint "
                    + "(p, d_model, n_heads, d_mlp or outputs differ); one run directory must hold one run");
        }
    }
}
