package io.jgrok.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * One run's entry in the sweep index: its status and, once it is done, what the summary reports. Mutable, but only
 * ever changed through {@link SweepIndex#update}, which holds the index's lock and then writes the file.
 */
public final class RunRecord {
    public final int index;
    public final String name;
    /** Run directory relative to the sweep directory ({@code runs/<name>}). */
    public final String dir;
    public final String shape;

    public RunStatus status = RunStatus.PENDING;
    /** Why a run failed or stopped (null when pending, running or done). */
    public String exitReason;
    /** How many times a sweep process started training this run. */
    public int attempts;
    public long epochsDone;
    public long nEpochs;
    public Long epochsToGrok;
    public Long epochsToGrokLoss;
    public Double finalTrainLoss;
    public Double finalTestLoss;
    public Double finalTrainAcc;
    public Double finalTestAcc;
    public int[] keyFrequencies;
    public Double clusteredFraction;
    /** Set when training finished but the analysis failed; the next sweep start analyses the run again. */
    public String analysisError;
    public String started;
    public String finished;
    /** Training wall time over all attempts. */
    public double wallSeconds;
    /** Speed of the last training session. */
    public double epochsPerSecond;

    public RunRecord(int index, String name, String dir, String shape) {
        this.index = index;
        this.name = name;
        this.dir = dir;
        this.shape = shape;
    }

    RunRecord copy() {
        return fromJson(toJson());
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("index", index);
        o.addProperty("name", name);
        o.addProperty("dir", dir);
        o.addProperty("shape", shape);
        o.addProperty("status", status.label());
        o.add("exit_reason", str(exitReason));
        o.addProperty("attempts", attempts);
        o.addProperty("epochs_done", epochsDone);
        o.addProperty("n_epochs", nEpochs);
        o.add("epochs_to_grok", num(epochsToGrok));
        o.add("epochs_to_grok_loss", num(epochsToGrokLoss));
        o.add("final_train_loss", num(finalTrainLoss));
        o.add("final_test_loss", num(finalTestLoss));
        o.add("final_train_acc", num(finalTrainAcc));
        o.add("final_test_acc", num(finalTestAcc));
        if (keyFrequencies == null) {
            o.add("key_frequencies", JsonNull.INSTANCE);
        } else {
            JsonArray a = new JsonArray();
            for (int k : keyFrequencies) {
                a.add(k);
            }
            o.add("key_frequencies", a);
        }
        o.add("clustered_fraction", num(clusteredFraction));
        o.add("analysis_error", str(analysisError));
        o.add("started", str(started));
        o.add("finished", str(finished));
        o.addProperty("wall_seconds", wallSeconds);
        o.addProperty("epochs_per_second", epochsPerSecond);
        return o;
    }

    static RunRecord fromJson(JsonObject o) {
        RunRecord r = new RunRecord(o.get("index").getAsInt(), o.get("name").getAsString(), o.get("dir").getAsString(),
                o.get("shape").getAsString());
        r.status = RunStatus.of(o.get("status").getAsString());
        r.exitReason = string(o, "exit_reason");
        r.attempts = o.get("attempts").getAsInt();
        r.epochsDone = o.get("epochs_done").getAsLong();
        r.nEpochs = o.get("n_epochs").getAsLong();
        r.epochsToGrok = whole(o, "epochs_to_grok");
        r.epochsToGrokLoss = whole(o, "epochs_to_grok_loss");
        r.finalTrainLoss = real(o, "final_train_loss");
        r.finalTestLoss = real(o, "final_test_loss");
        r.finalTrainAcc = real(o, "final_train_acc");
        r.finalTestAcc = real(o, "final_test_acc");
        JsonElement keys = o.get("key_frequencies");
        if (keys != null && keys.isJsonArray()) {
            JsonArray a = keys.getAsJsonArray();
            r.keyFrequencies = new int[a.size()];
            for (int i = 0; i < a.size(); i++) {
                r.keyFrequencies[i] = a.get(i).getAsInt();
            }
        }
        r.clusteredFraction = real(o, "clustered_fraction");
        r.analysisError = string(o, "analysis_error");
        r.started = string(o, "started");
        r.finished = string(o, "finished");
        r.wallSeconds = o.get("wall_seconds").getAsDouble();
        r.epochsPerSecond = o.get("epochs_per_second").getAsDouble();
        return r;
    }

    /** Clears what a finished run reports (before it is trained again). */
    void clearResults() {
        exitReason = null;
        epochsToGrok = null;
        epochsToGrokLoss = null;
        finalTrainLoss = null;
        finalTestLoss = null;
        finalTrainAcc = null;
        finalTestAcc = null;
        keyFrequencies = null;
        clusteredFraction = null;
        analysisError = null;
        finished = null;
    }

    static JsonElement num(Number x) {
        if (x == null || (x instanceof Double d && !Double.isFinite(d))) {
            return JsonNull.INSTANCE;
        }
        return new JsonPrimitive(x);
    }

    private static JsonElement str(String s) {
        return s == null ? JsonNull.INSTANCE : new JsonPrimitive(s);
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static Long whole(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsLong();
    }

    private static Double real(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsDouble();
    }
}
