package io.jgrok.figures;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;
import io.jgrok.analysis.AnalysisFiles;
import io.jgrok.config.RunConfig;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.Safetensors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the figures read from a run directory: config.json, logs/training_history.json, logs/run_info.json
 * (optional) and the analysis outputs (summary.json, progress.json, arrays.safetensors; schema in
 * {@link AnalysisFiles}). Nothing is recomputed here: the figures show what the analysis wrote.
 */
public final class RunData {
    private static final Gson GSON = new Gson();

    final RunDirectory dir;
    final RunConfig config;
    final History history;
    final JsonObject runInfo;
    final JsonObject summary;
    final Progress progress;
    final Map<String, Safetensors.Tensor> arrays;
    final String[] basisLabels;
    final int[] keyFrequencies;

    /** progress.json: one value per checkpoint for each column (NaN where the analysis wrote null). */
    record Progress(long[] epochs, Map<String, double[]> columns) {
        double[] column(String name) {
            double[] c = columns.get(name);
            if (c == null) {
                throw new UserError("analysis/progress.json has no column '" + name + "'; rerun ./jgrok analyze");
            }
            return c;
        }

        boolean has(String name) {
            return columns.containsKey(name);
        }

        long lastEpoch() {
            return epochs.length == 0 ? 0 : epochs[epochs.length - 1];
        }
    }

    private RunData(RunDirectory dir, RunConfig config, History history, JsonObject runInfo, JsonObject summary,
                    Progress progress, Map<String, Safetensors.Tensor> arrays) {
        this.dir = dir;
        this.config = config;
        this.history = history;
        this.runInfo = runInfo;
        this.summary = summary;
        this.progress = progress;
        this.arrays = arrays;
        JsonArray labels = summary.getAsJsonArray("basis_labels");
        this.basisLabels = new String[labels.size()];
        for (int i = 0; i < basisLabels.length; i++) {
            basisLabels[i] = labels.get(i).getAsString();
        }
        this.keyFrequencies = ints(summary.getAsJsonArray("key_frequencies"));
    }

    /** Loads a run that has been trained and analysed; a missing or malformed input is a one-line UserError. */
    public static RunData load(RunDirectory dir) {
        if (!Files.isDirectory(dir.root())) {
            throw new UserError("run directory " + dir.root() + " does not exist");
        }
        if (!dir.holdsRun()) {
            throw new UserError(dir.root() + " is not a run directory (no config.json, checkpoints or training "
                    + "history)");
        }
        RunConfig config = dir.readConfig();
        History history = History.read(dir.history());
        JsonObject runInfo = Files.exists(dir.runInfo()) ? json(dir.runInfo(), "run info") : null;
        Path analysis = dir.analysis();
        Path summaryFile = analysis.resolve(AnalysisFiles.SUMMARY);
        if (!Files.exists(summaryFile)) {
            throw new UserError("no analysis in " + dir.root() + " (" + summaryFile.getFileName()
                    + " is missing); run ./jgrok analyze " + dir.root() + " first");
        }
        JsonObject summary = json(summaryFile, "analysis summary");
        expectFormat(summary, AnalysisFiles.SUMMARY_FORMAT, summaryFile);
        JsonObject progressJson = json(analysis.resolve(AnalysisFiles.PROGRESS_JSON), "progress measures");
        expectFormat(progressJson, AnalysisFiles.PROGRESS_FORMAT, analysis.resolve(AnalysisFiles.PROGRESS_JSON));
        Safetensors.Contents arrays = Safetensors.read(analysis.resolve(AnalysisFiles.ARRAYS));
        if (!AnalysisFiles.ARRAYS_FORMAT.equals(arrays.metadata().get("format"))) {
            throw new UserError(analysis.resolve(AnalysisFiles.ARRAYS) + " is not a jgrok analysis arrays file "
                    + "(format " + arrays.metadata().get("format") + "); rerun ./jgrok analyze");
        }
        try {
            return new RunData(dir, config, history, runInfo, summary, progress(progressJson), arrays.tensors());
        } catch (IllegalStateException | NullPointerException | ClassCastException | UnsupportedOperationException e) {
            throw new UserError("analysis files in " + analysis + " are incomplete (" + e.getMessage()
                    + "); rerun ./jgrok analyze");
        }
    }

    int p() {
        return config.p();
    }

    /** An analysis array; its absence means an older or damaged analysis. */
    Safetensors.Tensor array(String name) {
        Safetensors.Tensor t = arrays.get(name);
        if (t == null) {
            throw new UserError("analysis/arrays.safetensors has no array '" + name + "'; rerun ./jgrok analyze");
        }
        return t;
    }

    /** Basis row of "cos k" or "sin k" (the order depends on the config's Fourier order). */
    int basisRow(String label) {
        for (int i = 0; i < basisLabels.length; i++) {
            if (basisLabels[i].equals(label)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no basis row '" + label + "'");
    }

    /** Number of non-constant frequencies, (p - 1) / 2. */
    int nFrequencies() {
        return (basisLabels.length - 1) / 2;
    }

    JsonObject object(String... path) {
        JsonObject o = summary;
        for (String key : path) {
            JsonElement e = o.get(key);
            o = e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
            if (o == null) {
                throw new UserError("analysis/summary.json lacks '" + String.join(".", path) + "'; rerun "
                        + "./jgrok analyze");
            }
        }
        return o;
    }

    /** A number from the summary (NaN when absent or null). */
    static double number(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    /** A whole number from the summary (null when absent or null). */
    static Long whole(JsonObject o, String key) {
        JsonElement e = o == null ? null : o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsLong();
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static Progress progress(JsonObject o) {
        JsonArray names = o.getAsJsonArray("columns");
        JsonArray epochArray = o.getAsJsonArray("epoch");
        long[] epochs = new long[epochArray.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = epochArray.get(i).getAsLong();
        }
        Map<String, double[]> columns = new LinkedHashMap<>();
        for (JsonElement n : names) {
            String name = n.getAsString();
            JsonArray values = o.getAsJsonArray(name);
            if (values.size() != epochs.length) {
                throw new IllegalStateException("column " + name + " has " + values.size() + " values for "
                        + epochs.length + " checkpoints");
            }
            double[] v = new double[values.size()];
            for (int i = 0; i < v.length; i++) {
                JsonElement e = values.get(i);
                v[i] = e.isJsonNull() ? Double.NaN : e.getAsDouble();
            }
            columns.put(name, v);
        }
        return new Progress(epochs, columns);
    }

    private static void expectFormat(JsonObject o, String format, Path file) {
        JsonElement f = o.get("format");
        if (f == null || !f.isJsonPrimitive() || !format.equals(f.getAsString())) {
            throw new UserError(file + " is not in the format this version reads (" + format + "); rerun "
                    + "./jgrok analyze");
        }
    }

    static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError(what + " " + file + " cannot be read: " + e.getMessage());
        }
    }

    static JsonObject json(Path file, String what) {
        try {
            JsonObject o = GSON.fromJson(read(file, what), JsonObject.class);
            if (o == null) {
                throw new UserError(what + " " + file + " is empty");
            }
            return o;
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new UserError(what + " " + file + " is not valid JSON");
        }
    }
}
