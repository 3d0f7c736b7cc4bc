package io.jgrok.analysis;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.IoErrors;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import io.jgrok.model.ParamLayout;
import io.jgrok.util.Progress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jgrok analyze}: the final-model analysis of one checkpoint (the newest, or a chosen one), the progress
 * measures over every checkpoint with that model's key frequencies, the phase boundaries, and the files in
 * {@code RUN_DIR/analysis/}.
 */
public final class Analyzer {
    private Analyzer() {
    }

    /**
     * @param checkpoint  epoch of the checkpoint to analyse, or null for the newest
     * @param device      auto, cpu, cuda or emulated
     * @param progressBar show a progress bar (on a terminal)
     * @param agop        the AGOP measures: on, off, or auto (on where the backend computes them cheaply: a GPU)
     */
    public record Options(Long checkpoint, String device, int threads, boolean progressBar, PrintStream out,
                          PrintStream err, KeyFrequencyRule keyFrequencies, String agop) {
        public Options {
            if (!AGOP_CHOICES.contains(agop)) {
                throw new UserError("--agop must be one of auto, on, off; got '" + agop + "'");
            }
        }

        /** With the default key-frequency rule and {@code --agop auto}. */
        public Options(Long checkpoint, String device, int threads, boolean progressBar, PrintStream out,
                       PrintStream err) {
            this(checkpoint, device, threads, progressBar, out, err, KeyFrequencyRule.CLUSTERED, "auto");
        }
    }

    /** Values of {@code --agop}. */
    public static final List<String> AGOP_CHOICES = List.of("auto", "on", "off");

    public static AnalysisResults run(RunDirectory dir, Options options) {
        if (!Files.isDirectory(dir.root())) {
            throw new UserError("run directory " + dir.root() + " does not exist");
        }
        List<Path> files = dir.checkpointFiles();
        if (files.isEmpty()) {
            throw new UserError(dir.root() + " has no checkpoints (expected " + dir.checkpoints()
                    + "/checkpoint_epoch_<E>.safetensors); train into it first");
        }
        // Damaged checkpoints (truncated or corrupted, e.g. by a full disk) are left out with a notice, as
        // train --resume does; only the one the user asked for by epoch is an error, with what to do instead.
        Map<Path, String> damaged = new LinkedHashMap<>();
        Checkpoints.Checkpoint ck = null;
        Path target = null;
        if (options.checkpoint() != null) {
            target = dir.checkpoint(options.checkpoint());
            if (!files.contains(target)) {
                throw new UserError("no checkpoint for epoch " + options.checkpoint() + " in " + dir.checkpoints()
                        + "; it has " + files.size() + " checkpoints from epoch " + Checkpoints.epochOf(files.get(0))
                        + " to " + Checkpoints.epochOf(files.get(files.size() - 1)));
            }
            try {
                ck = Checkpoints.read(target);
            } catch (UserError e) {
                throw new UserError(e.getMessage() + "; analyse an intact checkpoint instead"
                        + intactNeighbours(files, target) + ", or leave out --checkpoint to analyse the "
                        + "newest intact one", e);
            }
        } else {
            for (int i = files.size() - 1; i >= 0 && ck == null; i--) {
                try {
                    ck = Checkpoints.read(files.get(i));
                    target = files.get(i);
                } catch (UserError e) {
                    damaged.put(files.get(i), e.getMessage());
                    options.err().println("jgrok: skipping damaged checkpoint: " + e.getMessage());
                }
            }
            if (ck == null) {
                throw new UserError("every checkpoint in " + dir.checkpoints() + " is damaged (the newest: "
                        + damaged.values().iterator().next() + "); nothing can be analysed");
            }
            if (!damaged.isEmpty()) {
                options.err().println("jgrok: analysing the newest intact checkpoint, " + target.getFileName());
            }
        }
        RunConfig config = ck.config();
        if (!Files.exists(dir.split())) {
            throw new UserError(dir.root() + " has no split.json; the analysis needs the run's train/test split");
        }
        Split split = SplitFiles.read(dir.split(), config.p());
        List<String> warnings = new ArrayList<>();
        if (!config.isPrime()) {
            warnings.add("p = " + config.p() + " is not prime; the analysis assumes a prime modulus (for composite p "
                    + "the frequencies are not interchangeable and key frequencies may mislead)");
        }
        for (String w : warnings) {
            options.err().println("jgrok: warning: " + w);
        }
        Set<Path> reported = new HashSet<>(damaged.keySet());
        try (AnalysisBackend backend = AnalysisBackends.open(options.device(), config, options.threads(),
                options.err())) {
            ParamLayout layout = new ParamLayout(config);
            FinalAnalysis.Result fin = FinalAnalysis.analyze(backend, layout, ck.state().params(), ck.epoch(), split,
                    options.keyFrequencies());
            if (fin.keys().fallback()) {
                warnings.add("no neuron has frac_explained >= " + NeuronClusters.THRESHOLD + ", so the key "
                        + "frequencies are the notebook's (distinct argmax frequency over all neurons)");
            }
            String notGeneralised = notGeneralised(fin.logits().accuracyTest());
            if (notGeneralised != null) {
                warnings.add(notGeneralised);
            }
            AblationPlan plan = new AblationPlan(fin.keys().frequencies(), split.train(), split.test(), false);
            List<ProgressMeasures.Row> rows;
            PhaseBoundaries.Phases phases;
            AgopResults agop = null;
            boolean withAgop = switch (options.agop()) {
                case "on" -> true;
                case "off" -> false;
                default -> backend.agopIsCheap();
            };
            if (!withAgop && options.agop().equals("auto")) {
                options.err().println("jgrok: AGOP measures not computed (slow here: " + files.size()
                        + " checkpoints; see docs/agop.md for the cost); --agop on adds them");
            }
            try (AgopPass agopPass = withAgop ? AgopPass.start(backend, layout, fin.keys().frequencies(),
                    split.train(), ck.state().params(), ck.epoch(), options.threads()) : null;
                 Progress bar = Progress.create(withAgop ? "progress measures + AGOP" : "progress measures",
                         "checkpoints", files.size(), 0, options.progressBar())) {
                List<Path> readable = new ArrayList<>(files);
                readable.removeAll(damaged.keySet());
                rows = ProgressMeasures.compute(backend, config, readable, plan, bar, (file, damage) -> {
                    synchronized (damaged) {
                        damaged.put(file, damage.getMessage());
                    }
                }, agopPass == null ? null : agopPass::measure);
                long[] epochs = rows.stream().mapToLong(ProgressMeasures.Row::epoch).toArray();
                double[] test = rows.stream().mapToDouble(r -> r.logits().lossTest()).toArray();
                double[] testAcc = rows.stream().mapToDouble(r -> r.logits().accuracyTest()).toArray();
                double[] excluded = rows.stream().mapToDouble(r -> r.logits().excludedLoss()).toArray();
                phases = PhaseBoundaries.estimate(epochs, test, testAcc, excluded);
                if (agopPass != null) {
                    agop = agopPass.finish(phases);
                }
            }
            for (Map.Entry<Path, String> d : damaged.entrySet()) {
                String w = "skipped damaged checkpoint " + d.getKey().getFileName() + " (" + d.getValue() + ")";
                warnings.add(w);
                if (!reported.contains(d.getKey())) {
                    options.err().println("jgrok: skipping damaged checkpoint: " + d.getValue());
                }
            }
            AnalysisResults results = new AnalysisResults(dir.root(), target, config, backend.description(), fin,
                    rows, phases, warnings, agop);
            try {
                AnalysisFiles.write(dir.analysis(), results);
            } catch (IOException e) {
                io.jgrok.io.WriteError.throwIfDiskFull(e, "the run's checkpoints and history are untouched; "
                        + dir.analysis() + " holds no complete analysis now");
                throw new UserError("cannot write " + dir.analysis() + ": " + IoErrors.describe(e, dir.analysis()), e);
            }
            options.out().print(SummaryText.of(results));
            options.out().println("wrote " + dir.analysis().resolve(AnalysisFiles.SUMMARY) + ", "
                    + AnalysisFiles.PROGRESS_CSV + ", " + AnalysisFiles.PROGRESS_JSON + ", " + AnalysisFiles.ARRAYS);
            return results;
        }
    }

    /**
     * A warning for a model that has not generalised (test accuracy under {@link PhaseBoundaries#CLEANUP_ACCURACY}):
     * its key frequencies and clusters are still computed, but they describe a mostly memorising model; null when
     * the model generalises (or there is no test set).
     */
    static String notGeneralised(double testAccuracy) {
        if (!(testAccuracy < PhaseBoundaries.CLEANUP_ACCURACY)) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "test accuracy is %.1f%%, under %.0f%%: this model has not "
                + "generalised (grokked), so its key frequencies and neuron clusters describe a largely memorising "
                + "model, not the paper's algorithm", 100 * testAccuracy, 100 * PhaseBoundaries.CLEANUP_ACCURACY);
    }

    /** " (--checkpoint A or --checkpoint B)": the nearest intact checkpoints before and after {@code damaged}. */
    private static String intactNeighbours(List<Path> files, Path damaged) {
        int at = files.indexOf(damaged);
        List<String> found = new ArrayList<>();
        for (int step : new int[] {-1, 1}) {
            for (int i = at + step; i >= 0 && i < files.size(); i += step) {
                try {
                    Checkpoints.read(files.get(i));
                    found.add("--checkpoint " + Checkpoints.epochOf(files.get(i)));
                    break;
                } catch (UserError stillDamaged) {
                    // Keep looking further out.
                }
            }
        }
        return found.isEmpty() ? "" : " (" + String.join(" or ", found) + ")";
    }
}
