package io.jgrok.train;

import io.jgrok.UserError;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.WriteError;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A trainer that cannot write a file (the disk is full, most often) stops with one line: which file, why in words,
 * what is intact, and how to go on. Nothing written before is lost: every file is replaced atomically, the history is
 * written before the checkpoint of the same epoch, and --resume continues from the newest checkpoint bit-identically.
 */
final class WriteStops {
    private WriteStops() {
    }

    /** A write failed during training. */
    static WriteError duringTraining(RunDirectory dir, Path file, IOException e) {
        String detail = WriteError.describe(e, file);
        String intact;
        try {
            List<Path> checkpoints = dir.checkpointFiles();
            intact = checkpoints.isEmpty() ? "no checkpoint was written yet" : "the run is intact up to checkpoint "
                    + Checkpoints.epochOf(checkpoints.get(checkpoints.size() - 1));
        } catch (UserError unlisted) {
            intact = "the checkpoints written before are intact";
        }
        return new WriteError(detail, detail + "; " + intact + "; " + advice(detail) + ", then resume with: "
                + "./jgrok train --resume " + dir.root(), e);
    }

    /** A write failed while a new run was being set up (before its config.json, which marks a run, was written). */
    static WriteError atStart(RunDirectory dir, IOException e) {
        String detail = WriteError.describe(e, dir.root());
        return new WriteError(detail, detail + "; nothing was trained yet; " + advice(detail) + ", then run the same "
                + "command again", e);
    }

    private static String advice(String detail) {
        return detail.startsWith(WriteError.DISK_FULL) ? "free some space" : "fix that";
    }
}
