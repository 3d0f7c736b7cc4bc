package io.jgrok;

/**
 * A problem with what the user gave us (a flag, a file, a run directory), as opposed to a bug.
 * The CLI prints its message as one line on stderr and exits with {@link #EXIT_CODE}; no stack trace.
 * Messages say what is wrong and what is allowed.
 */
public class UserError extends RuntimeException {
    public static final int EXIT_CODE = 2;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process's exit status for this error: {@link #EXIT_CODE}, unless a kind of error has its own. */
    public int exitCode() {
        return EXIT_CODE;
    }
}
