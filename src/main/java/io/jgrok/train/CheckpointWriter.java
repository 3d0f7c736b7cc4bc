package io.jgrok.train;

import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.WriteError;
import io.jgrok.model.TrainingState;
import io.jgrok.util.Futures;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a run's checkpoints, each after the history up to its epoch, on a thread of its own, so that the engine goes
 * on with the next chunk of epochs while the files are written: a GPU run no longer idles for the file writes at
 * every checkpoint (401 of them in a paper run, 64 per round of a 64-model sweep).
 *
 * <p>The trainer hands over copies taken at the checkpoint (the state read back from the engine, a
 * {@link History.Snapshot}), so what is written is exactly what the synchronous writes wrote, byte for byte, with the
 * same functions ({@link Checkpoints#write}, the history's JSON). Order and atomicity are those of the synchronous
 * writes: one write at a time, history before checkpoint, every file replaced atomically, so a crash at any moment
 * leaves every checkpoint that was written whole and a history at least as long as the newest checkpoint. At most one
 * checkpoint is in flight: {@link #submit} first waits for the previous one (memory stays bounded, and a disk slower
 * than training slows training instead of piling up states). A failed write is reported as the same
 * {@link WriteError} the synchronous write threw, at the next {@link #submit} or at {@link #finish}; the trainer then
 * stops as before.
 */
final class CheckpointWriter implements AutoCloseable {
    private final RunDirectory dir;
    private final RunConfig config;
    private final ExecutorService thread;
    private Future<?> pending;
    private long pendingEpoch = -1;
    private long failedEpoch = -1;

    CheckpointWriter(RunDirectory dir, RunConfig config) {
        this.dir = dir;
        this.config = config;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jgrok-checkpoint-writer");
            t.setDaemon(true);  // close() waits for it on every way out of the trainer; a daemon never holds the JVM
            return t;
        });
    }

    /**
     * Writes {@code history} then the checkpoint of {@code epoch} (with {@code gradient}, the step's loss gradient,
     * when not null), in the background, after the previous checkpoint (waited for here: its failure is thrown
     * here).
     */
    void submit(long epoch, History.Snapshot history, TrainingState state, float[] gradient) {
        finish();
        pendingEpoch = epoch;
        pending = thread.submit(() -> {
            try {
                history.write(dir.history());
            } catch (IOException e) {
                throw WriteStops.duringTraining(dir, dir.history(), e);
            }
            try {
                Checkpoints.write(dir.checkpoint(epoch), config, epoch, state, gradient);
            } catch (IOException e) {
                throw WriteStops.duringTraining(dir, dir.checkpoint(epoch), e);
            }
            return null;
        });
    }

    /** Waits until every submitted checkpoint is written; throws the failure of a write that failed. */
    void finish() {
        if (pending == null) {
            return;
        }
        Future<?> f = pending;
        pending = null;
        try {
            // Uninterruptibly: the files must be complete before the trainer goes on.
            Futures.awaitUninterruptibly(f, cause -> new IllegalStateException("writing checkpoint " + pendingEpoch
                    + " failed: " + cause, cause));
        } catch (WriteError w) {
            failedEpoch = pendingEpoch;
            throw w;
        }
    }

    /**
     * The epoch of the checkpoint whose write failed (its history's or its own), or -1: the run is on disk up to the
     * checkpoint before it, and the session trained through that epoch, as a synchronous write would have reported.
     */
    long failedEpoch() {
        return failedEpoch;
    }

    /** Waits for the pending write, if any, and stops the thread. */
    @Override
    public void close() {
        try {
            finish();
        } finally {
            thread.shutdown();
        }
    }
}
