package io.jgrok.sweep;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.analysis.AnalysisFiles;
import io.jgrok.analysis.AnalysisResults;
import io.jgrok.analysis.Analyzer;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A finished run's key frequencies and clustered fraction, from {@code jgrok analyze}'s own analysis (which also
 * leaves the usual {@code RUN_DIR/analysis/} files). An existing {@code analysis/summary.json} of the run's newest
 * checkpoint is reused instead of analysing again.
 */
public final class RunAnalysis {
    /** What the sweep reports from a run's analysis. */
    public record Result(int[] keyFrequencies, double clusteredFraction) {
    }

    private RunAnalysis() {
    }

    public static Result of(RunDirectory dir, int threads, PrintStream log) {
        Result existing = existing(dir);
        if (existing != null) {
            log.println("jgrok sweep: reusing " + dir.analysis().resolve(AnalysisFiles.SUMMARY));
            return existing;
        }
        AnalysisResults r = Analyzer.run(dir, new Analyzer.Options(null, "cpu", threads, false, log, log));
        return new Result(r.keyFrequencies(), r.fin().clusters().clusteredFraction());
    }

    /** The result recorded in the run's summary.json if that analysed the newest checkpoint, else null. */
    static Result existing(RunDirectory dir) {
        Path summary = dir.analysis().resolve(AnalysisFiles.SUMMARY);
        List<Path> checkpoints = dir.checkpointFiles();
        if (!Files.exists(summary) || checkpoints.isEmpty()) {
            return null;
        }
        try {
            JsonObject o = new Gson().fromJson(Files.readString(summary, StandardCharsets.UTF_8), JsonObject.class);
            long newest = Checkpoints.epochOf(checkpoints.get(checkpoints.size() - 1));
            if (o.get("epoch").getAsLong() != newest
                    || !AnalysisFiles.SUMMARY_FORMAT.equals(o.get("format").getAsString())) {
                return null;
            }
            JsonArray keys = o.getAsJsonArray("key_frequencies");
            int[] k = new int[keys.size()];
            for (int i = 0; i < k.length; i++) {
                k[i] = keys.get(i).getAsInt();
            }
            return new Result(k, o.getAsJsonObject("neurons").get("fraction_clustered").getAsDouble());
        } catch (IOException | RuntimeException e) {
            return null; // unreadable or of another format: analyse again
        }
    }
}
