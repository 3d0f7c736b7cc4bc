package io.jgrok.analysis;

import io.jgrok.config.RunConfig;

import java.nio.file.Path;
import java.util.List;

/** Everything one {@code jgrok analyze} produces, before it is written. */
public record AnalysisResults(Path runDir, Path checkpointFile, RunConfig config, String backend,
                              FinalAnalysis.Result fin, List<ProgressMeasures.Row> progress,
                              PhaseBoundaries.Phases phases, List<String> warnings, AgopResults agop) {

    /** Without the AGOP measures ({@code --agop off}). */
    public AnalysisResults(Path runDir, Path checkpointFile, RunConfig config, String backend,
                           FinalAnalysis.Result fin, List<ProgressMeasures.Row> progress,
                           PhaseBoundaries.Phases phases, List<String> warnings) {
        this(runDir, checkpointFile, config, backend, fin, progress, phases, warnings, null);
    }

    /** Frequencies whose norm is at least this fraction of the largest count as significant (non-negligible). */
    public static final double SIGNIFICANT_FRACTION = 0.1;

    public FourierBasis basis() {
        return new FourierBasis(config.p(), config.fourierOrder());
    }

    /** The key frequencies the ablations used (see {@link KeyFrequencyRule}). */
    public int[] keyFrequencies() {
        return fin.keys().frequencies();
    }

    /** Frequencies k (1-based) with norm >= SIGNIFICANT_FRACTION of the largest, ascending. */
    public static int[] significantFrequencies(double[] frequencyNorms) {
        double largest = 0;
        for (double v : frequencyNorms) {
            largest = Math.max(largest, v);
        }
        if (!(largest > 0)) {
            return new int[0];
        }
        final double cut = SIGNIFICANT_FRACTION * largest;
        return java.util.stream.IntStream.range(0, frequencyNorms.length)
                .filter(i -> frequencyNorms[i] >= cut).map(i -> i + 1).toArray();
    }
}
