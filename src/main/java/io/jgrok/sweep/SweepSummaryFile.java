package io.jgrok.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.jgrok.config.RunConfig;
import io.jgrok.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sweep summary, one row per run, for people ({@code sweep_summary.csv}) and for the sweep figures
 * ({@code sweep_summary.json}, format {@value #FORMAT}, which {@code ./jgrok figures SWEEP_DIR} reads):
 * <pre>
 * {"format": "jgrok-sweep-1",
 *  "p": the largest p of the sweep (every run's when p does not vary),
 *  "n_epochs": the largest n_epochs (a run that never grokked is drawn at this height),
 *  "axes": the flags the spec varies, in its order,
 *  "criteria": {"test_accuracy": 0.99, "test_loss": 0.1},
 *  "counts": {"pending": n, "running": n, "done": n, "failed": n, "interrupted": n},
 *  "runs": [{"name", "dir" (relative to the sweep directory), "status", "exit_reason",
 *            "params": {axis: value as the spec wrote it},
 *            "seed", "data_seed", "weight_decay", "train_fraction", "p", "lr", "n_epochs", "grokfast", "loss",
 *            "grad_projection",
 *            "epochs_done",
 *            "epochs_to_grok"       first epoch with test accuracy >= 0.99, null: never (or not done),
 *            "epochs_to_grok_loss"  first epoch with test loss < 0.1, null: never,
 *            "final_train_loss", "final_test_loss", "final_train_acc", "final_test_acc"   last history entry,
 *            "key_frequencies"      the final model's, null when not analysed,
 *            "clustered_fraction"   fraction of neurons with frac_explained >= 0.85, null when not analysed,
 *            "wall_seconds", "epochs_per_second"}]}
 * </pre>
 * The CSV has the same per-run fields as columns (params flattened to one column per axis, key frequencies joined
 * by spaces, empty cells for nulls).
 */
public final class SweepSummaryFile {
    public static final String JSON = "sweep_summary.json";
    public static final String CSV = "sweep_summary.csv";
    public static final String FORMAT = "jgrok-sweep-1";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .create();

    private SweepSummaryFile() {
    }

    public static void write(Path sweepDir, List<RunRecord> records, List<SweepRun> runs) {
        JsonObject o = summary(records, runs);
        Path file = sweepDir.resolve(CSV);
        try {
            AtomicFiles.writeString(file, csv(o));
            file = sweepDir.resolve(JSON);
            AtomicFiles.writeString(file, GSON.toJson(o) + "\n");
        } catch (IOException e) {
            throw SweepIndex.writeError(e, file);
        }
    }

    static JsonObject summary(List<RunRecord> records, List<SweepRun> runs) {
        int p = 0;
        long nEpochs = 0;
        Set<String> axes = new LinkedHashSet<>();
        for (SweepRun r : runs) {
            p = Math.max(p, r.config().p());
            nEpochs = Math.max(nEpochs, r.config().nEpochs());
            axes.addAll(r.params().keySet());
        }
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("p", p);
        o.addProperty("n_epochs", nEpochs);
        JsonArray a = new JsonArray();
        axes.forEach(a::add);
        o.add("axes", a);
        JsonObject criteria = new JsonObject();
        criteria.addProperty("test_accuracy", GrokEpochs.TEST_ACCURACY);
        criteria.addProperty("test_loss", GrokEpochs.TEST_LOSS);
        o.add("criteria", criteria);
        JsonObject counts = new JsonObject();
        for (RunStatus s : RunStatus.values()) {
            counts.addProperty(s.label(), records.stream().filter(r -> r.status == s).count());
        }
        o.add("counts", counts);
        JsonArray rows = new JsonArray();
        for (RunRecord rec : records) {
            rows.add(row(rec, runs.get(rec.index)));
        }
        o.add("runs", rows);
        return o;
    }

    private static JsonObject row(RunRecord rec, SweepRun run) {
        RunConfig c = run.config();
        JsonObject o = new JsonObject();
        o.addProperty("name", rec.name);
        o.addProperty("dir", rec.dir);
        o.addProperty("status", rec.status.label());
        o.add("exit_reason", rec.exitReason == null ? JsonNull.INSTANCE : new JsonPrimitive(rec.exitReason));
        JsonObject params = new JsonObject();
        for (Map.Entry<String, JsonPrimitive> e : run.params().entrySet()) {
            params.add(e.getKey(), e.getValue());
        }
        o.add("params", params);
        o.addProperty("seed", c.seed());
        o.addProperty("data_seed", c.dataSeed());
        o.addProperty("weight_decay", c.weightDecay());
        o.addProperty("train_fraction", c.trainFraction());
        o.addProperty("p", c.p());
        o.addProperty("lr", c.lr());
        o.addProperty("n_epochs", c.nEpochs());
        o.addProperty("grokfast", c.grokfast().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("loss", c.loss().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("grad_projection", c.gradProjection().name().toLowerCase(java.util.Locale.ROOT));
        o.addProperty("epochs_done", rec.epochsDone);
        boolean done = rec.status == RunStatus.DONE;
        o.add("epochs_to_grok", done ? RunRecord.num(rec.epochsToGrok) : JsonNull.INSTANCE);
        o.add("epochs_to_grok_loss", done ? RunRecord.num(rec.epochsToGrokLoss) : JsonNull.INSTANCE);
        o.add("final_train_loss", RunRecord.num(rec.finalTrainLoss));
        o.add("final_test_loss", RunRecord.num(rec.finalTestLoss));
        o.add("final_train_acc", RunRecord.num(rec.finalTrainAcc));
        o.add("final_test_acc", RunRecord.num(rec.finalTestAcc));
        if (rec.keyFrequencies == null) {
            o.add("key_frequencies", JsonNull.INSTANCE);
        } else {
            JsonArray k = new JsonArray();
            for (int f : rec.keyFrequencies) {
                k.add(f);
            }
            o.add("key_frequencies", k);
        }
        o.add("clustered_fraction", RunRecord.num(rec.clusteredFraction));
        o.addProperty("wall_seconds", rec.wallSeconds);
        o.addProperty("epochs_per_second", rec.epochsPerSecond);
        return o;
    }

    static String csv(JsonObject summary) {
        List<String> axes = new ArrayList<>();
        summary.getAsJsonArray("axes").forEach(e -> axes.add(e.getAsString()));
        List<String> fields = List.of("status", "exit_reason", "seed", "data_seed", "weight_decay", "train_fraction",
                "p", "lr", "n_epochs", "grokfast", "loss", "grad_projection", "epochs_done", "epochs_to_grok",
                "epochs_to_grok_loss", "final_train_loss", "final_test_loss", "final_train_acc", "final_test_acc",
                "key_frequencies", "clustered_fraction", "wall_seconds", "epochs_per_second");
        StringBuilder sb = new StringBuilder("name,dir");
        for (String axis : axes) {
            sb.append(",param_").append(axis);
        }
        for (String f : fields) {
            sb.append(',').append(f);
        }
        sb.append('\n');
        for (JsonElement e : summary.getAsJsonArray("runs")) {
            JsonObject r = e.getAsJsonObject();
            sb.append(cell(r.get("name"))).append(',').append(cell(r.get("dir")));
            JsonObject params = r.getAsJsonObject("params");
            for (String axis : axes) {
                sb.append(',').append(cell(params.get(axis)));
            }
            for (String f : fields) {
                sb.append(',').append(cell(r.get(f)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String cell(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "";
        }
        String s;
        if (e.isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonElement x : e.getAsJsonArray()) {
                sb.append(sb.length() == 0 ? "" : " ").append(x.getAsString());
            }
            s = sb.toString();
        } else {
            s = e.getAsString();
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
