package io.jgrok.io;

import io.jgrok.UserError;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file could not be written (a full disk, most often) and the work stopped; what was written before is intact.
 * One line for the user, like every {@link UserError}, with an exit status of its own ({@link #EXIT_CODE}) so that
 * scripts can tell "free some space and resume" from bad input.
 *
 * @see WriteFailure the low-level failure it reports
 */
public final class WriteError extends UserError {
    public static final int EXIT_CODE = 4;
    /** How a message about a full disk begins. */
    public static final String DISK_FULL = "the disk is full";

    private final String detail;

    /**
     * @param detail  what failed, without advice, e.g. "the disk is full: cannot write DIR/checkpoints/..."
     * @param message the whole line: detail, what is intact, and how to go on
     */
    public WriteError(String detail, String message, Throwable cause) {
        super(message, cause);
        this.detail = detail;
    }

    /** What failed, for a caller that gives its own advice (a sweep resumes the run on its next start). */
    public String detail() {
        return detail;
    }

    /** "the disk is full: cannot write FILE (No space left on device)" or "cannot write FILE: reason". */
    public static String describe(IOException e, Path file) {
        Path f = e instanceof WriteFailure w ? w.file() : file;
        String why = e instanceof WriteFailure w ? w.systemReason() : e.getMessage();
        boolean full = e instanceof WriteFailure w ? w.diskFull() : WriteFailure.diskFull(file, e);
        return full ? DISK_FULL + ": cannot write " + f + " (" + why + ")" : "cannot write " + f + ": " + why;
    }

    /**
     * For a command that can simply be run again (analyze, figures, import, export): when {@code e} is a write that
     * failed because the disk is full, throws "the disk is full: cannot write FILE (...); {@code intact}; free some
     * space, then run the same command again" (exit status 4). Other failures are left to the caller (a place that
     * takes no files is bad input).
     *
     * @param intact what the failure left as it was, e.g. "the run's checkpoints and history are untouched"
     */
    public static void throwIfDiskFull(IOException e, String intact) {
        if (e instanceof WriteFailure w && w.diskFull()) {
            String detail = describe(w, w.file());
            throw new WriteError(detail, detail + "; " + intact + "; free some space, then run the same command "
                    + "again", e);
        }
    }

    @Override
    public int exitCode() {
        return EXIT_CODE;
    }
}
