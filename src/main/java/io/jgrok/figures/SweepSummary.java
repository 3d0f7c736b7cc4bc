package io.jgrok.figures;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jgrok.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sweep figures read from a sweep's {@code sweep_summary.json} (written by the sweep command,
 * {@link io.jgrok.sweep.SweepSummaryFile}, which documents the whole format): {@code p}, {@code n_epochs}, and per
 * run {@code dir, status, seed, weight_decay, train_fraction, epochs_to_grok} (null: never) and
 * {@code key_frequencies} (null or absent when not analysed). Only runs whose status is {@code done} have a final
 * grokking time; the figures leave the others (pending, running, failed, interrupted) out and say so.
 */
record SweepSummary(int p, long nEpochs, List<Run> runs) {
    static final String FILE = "sweep_summary.json";
    static final String FORMAT = "jgrok-sweep-1";

    /** The status of a run that trained to its end. */
    static final String DONE = "done";

    /**
     * One run of the sweep; {@code epochsToGrok} null if it never grokked (or has not finished), {@code
     * keyFrequencies} null if unknown.
     */
    record Run(String dir, String status, long seed, double weightDecay, double trainFraction, Long epochsToGrok,
               int[] keyFrequencies) {
        boolean done() {
            return DONE.equals(status);
        }
    }

    static SweepSummary read(Path file) {
        JsonObject o = RunData.json(file, "sweep summary");
        JsonElement format = o.get("format");
        if (format == null || !FORMAT.equals(format.getAsString())) {
            throw new UserError(file + " is not a " + FORMAT + " sweep summary");
        }
        try {
            List<Run> runs = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("runs")) {
                JsonObject r = e.getAsJsonObject();
                JsonElement keys = r.get("key_frequencies");
                runs.add(new Run(r.get("dir").getAsString(), r.get("status").getAsString(), r.get("seed").getAsLong(),
                        r.get("weight_decay").getAsDouble(), r.get("train_fraction").getAsDouble(),
                        RunData.whole(r, "epochs_to_grok"),
                        keys == null || keys.isJsonNull() ? null : RunData.ints((JsonArray) keys)));
            }
            return new SweepSummary(o.get("p").getAsInt(), o.get("n_epochs").getAsLong(), List.copyOf(runs));
        } catch (NullPointerException | IllegalStateException | ClassCastException | NumberFormatException e) {
            throw new UserError(file + " lacks a field the sweep figures need (p, n_epochs, runs[].dir, status, "
                    + "seed, weight_decay, train_fraction, epochs_to_grok)");
        }
    }
}
