package io.jgrok.figures;

import com.google.gson.JsonObject;

/** The phase boundaries the analysis estimated (summary.json "phases"); null where the run has none. */
record Phases(Long memorizationEnd, Long circuitFormationEnd, Long cleanupEnd) {
    static Phases of(RunData run) {
        JsonObject ph = run.object("phases");
        return new Phases(RunData.whole(ph, "memorization_end"), RunData.whole(ph, "circuit_formation_end"),
                RunData.whole(ph, "cleanup_end"));
    }
}
