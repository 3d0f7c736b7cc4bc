package io.jgrok.cli;

import io.jgrok.io.RunDirectory;
import io.jgrok.train.TrainingLock;

import java.io.PrintStream;

/**
 * Readers (analyze, figures) of a run that is being trained go on, and say so in one line. What they read is a
 * consistent snapshot, because every file is replaced atomically and checkpoints are never rewritten: the checkpoints
 * that existed when the reader listed them (each one whole), and the history as of its last rewrite (each row whole,
 * at least up to the newest of those checkpoints).
 */
final class LiveRunNotice {
    private LiveRunNotice() {
    }

    /**
     * @param what what the reader produces from the snapshot, e.g. "this analysis covers the checkpoints written so
     *             far"
     */
    static void print(RunDirectory dir, String what, PrintStream err) {
        TrainingLock.liveTrainer(dir).ifPresent(owner -> err.println("jgrok: note: " + dir.root() + " is being "
                + "trained now (" + owner.describe() + "); " + what + "; run this again when training has ended"));
    }
}
