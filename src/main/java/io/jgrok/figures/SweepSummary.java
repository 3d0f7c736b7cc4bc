package io.jgrok.figures;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jgrok.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sweep figures need from a sweep: one row per run. This is the figures' side of the (not yet built) sweep
 * command, a proposal for {@code SWEEP_DIR/sweep_summary.json}:
 * <pre>
 * {
 *   "format": "jgrok-sweep-1",
 *   "p": 113,                       modulus shared by all runs
 *   "n_epochs": 40000,              epochs each run was given (a run that never groks is drawn at this height)
 *   "runs": [
 *     {"dir": "wd0.3-seed0",        run directory, relative to the sweep directory
 *      "seed": 0, "data_seed": 0, "weight_decay": 0.3, "train_fraction": 0.3,
 *      "epochs_to_grok": 3100,      first epoch with test accuracy >= 0.99 (Headline.GROKKED_ACCURACY); null: never
 *      "key_frequencies": [14, 35]} from the run's analysis/summary.json; null or absent when not analysed
 *   ]
 * }
 * </pre>
 * Only these fields are read; a sweep may write more. The sweep command can build it from each run's
 * logs/training_history.json ({@link Headline#epochsToGrok}) and analysis/summary.json.
 */
record SweepSummary(int p, long nEpochs, List<Run> runs) {
    static final String FILE = "sweep_summary.json";
    static final String FORMAT = "jgrok-sweep-1";

    /** One run of the sweep; {@code epochsToGrok} null if it never grokked, {@code keyFrequencies} null if unknown. */
    record Run(String dir, long seed, double weightDecay, double trainFraction, Long epochsToGrok,
               int[] keyFrequencies) {
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
                runs.add(new Run(r.get("dir").getAsString(), r.get("seed").getAsLong(),
                        r.get("weight_decay").getAsDouble(), r.get("train_fraction").getAsDouble(),
                        RunData.whole(r, "epochs_to_grok"),
                        keys == null || keys.isJsonNull() ? null : RunData.ints((JsonArray) keys)));
            }
            return new SweepSummary(o.get("p").getAsInt(), o.get("n_epochs").getAsLong(), List.copyOf(runs));
        } catch (NullPointerException | IllegalStateException | ClassCastException | NumberFormatException e) {
            throw new UserError(file + " lacks a field the sweep figures need (p, n_epochs, runs[].dir, seed, "
                    + "weight_decay, train_fraction, epochs_to_grok)");
        }
    }
}
