package io.jgrok.sweep;

import io.jgrok.UserError;

import java.util.Locale;

/** Where a sweep's run stands, as recorded in the sweep index. */
public enum RunStatus {
    /** Not started yet. */
    PENDING,
    /** Training or being analysed; found on a restart, the process that ran it died, and the run is resumed. */
    RUNNING,
    /** Trained to its n_epochs (and analysed, unless the analysis failed: see its analysis_error). */
    DONE,
    /** Ended with an error (divergence, bad input, ...), recorded as its exit reason; retried only on request. */
    FAILED,
    /** Stopped by SIGINT/SIGTERM after writing a checkpoint; resumed on the next start. */
    INTERRUPTED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus of(String label) {
        for (RunStatus s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new UserError("unknown run status '" + label + "' in a sweep index");
    }
}
