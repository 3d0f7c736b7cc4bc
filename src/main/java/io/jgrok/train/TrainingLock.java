package io.jgrok.train;

import io.jgrok.UserError;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.WriteFailure;
import io.jgrok.io.WriterLock;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;

/**
 * A trainer owns its run directory: it holds the directory's {@link WriterLock} from before it reads, clears or
 * writes anything there until it returns. A second trainer (a new run, --resume, --force, or a sweep training the
 * same run) is refused at once with a line that names the owner; --force never deletes a run that is being trained.
 */
public final class TrainingLock {
    /** The holder a plain {@code ./jgrok train} records. */
    public static final String TRAIN = "jgrok train";

    private TrainingLock() {
    }

    /**
     * Locks {@code dir} for training, creating the directory if needed.
     *
     * @param holder  what this process is, for other processes' messages ({@link #TRAIN}, or the sweep's name)
     * @param force   the caller is about to delete the run in {@code dir} (--force): a busy run is refused in those
     *                words
     * @param notices where warnings go (see {@link WriterLock})
     */
    public static WriterLock acquire(RunDirectory dir, String holder, boolean force, PrintStream notices) {
        try {
            Files.createDirectories(dir.root());
        } catch (IOException e) {
            throw new UserError("cannot write to " + dir.root() + ": " + WriteFailure.reasonOf(e));
        }
        try {
            return WriterLock.acquire(dir.lockFile(), holder, notices);
        } catch (WriterLock.Busy e) {
            throw busy(dir, e, force);
        }
    }

    /** The run's trainer, if one is training it now (for readers, who go on but say what they see). */
    public static java.util.Optional<WriterLock.Owner> liveTrainer(RunDirectory dir) {
        return WriterLock.liveOwner(dir.lockFile());
    }

    /**
     * Refuses at once, as {@link #acquire} would, when a process is writing {@code dir} now: for a writer that has
     * slow work to do before it takes the lock (an import reads its file first), so that it need not do that work
     * for nothing. It takes no lock, so the writer still takes it before it changes anything.
     */
    public static void refuseIfBusy(RunDirectory dir, boolean force) {
        java.util.Optional<WriterLock.Owner> owner = liveTrainer(dir);
        if (owner.isPresent()) {
            throw busy(dir, new WriterLock.Busy("", owner.get()), force);
        }
    }

    private static WriterLock.Busy busy(RunDirectory dir, WriterLock.Busy e, boolean force) {
        WriterLock.Owner owner = e.owner();
        String who = (owner.thisProcess() ? owner.describe() : "another jgrok process (" + owner.describe() + ")")
                + e.note();
        if (force && dir.holdsRun()) {
            return new WriterLock.Busy("--force will not delete " + dir.root() + ": it is being trained by " + who
                    + "; " + owner.stopHint() + ", then run this again", owner);
        }
        return new WriterLock.Busy(dir.root() + " is being trained by " + who + "; wait for it to finish, or "
                + owner.stopHint(), owner);
    }

    /** A caller that says it holds {@code dir}'s lock must hold that very lock. */
    static void requireHeld(WriterLock lock, RunDirectory dir) {
        if (lock == null || !lock.file().equals(dir.lockFile()) || !lock.held()) {
            throw new IllegalArgumentException("training " + dir.root() + " needs its lock " + dir.lockFile()
                    + " held by the caller");
        }
    }
}
