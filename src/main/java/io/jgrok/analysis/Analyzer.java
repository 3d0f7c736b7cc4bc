package io.jgrok.analysis;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import io.jgrok.model.ParamLayout;
import io.jgrok.util.Progress;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        Path target = files.get(files.size() - 1);
        if (options.checkpoint() != null) {
            target = dir.checkpoint(options.checkpoint());
            if (!files.contains(target)) {
                throw new UserError("no checkpoint for epoch " + options.checkpoint() + " in " + dir.checkpoints()
                        + "; it has " + files.size() + " checkpoints from epoch " + Checkpoints.epochOf(files.get(0))
                        + " to " + Checkpoints.epochOf(files.get(files.size() - 1)));
            }
        }
        Checkpoints.Checkpoint ck = Checkpoints.read(target);
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
        try (AnalysisBackend backend = AnalysisBackends.open(options.device(), config, options.threads(),
                options.err())) {
            ParamLayout layout = new ParamLayout(config);
            FinalAnalysis.Result fin = FinalAnalysis.analyze(backend, layout, ck.state().params(), ck.epoch(), split,
                    options.keyFrequencies());
            if (fin.keys().fallback()) {
                warnings.add("no neuron has frac_explained >= " + NeuronClusters.THRESHOLD + ", so the key "
                        + "frequencies are the notebook's (distinct argmax frequency over all neurons)");
                options.err().println("jgrok: warning: " + warnings.get(warnings.size() - 1));
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
                 Progress bar = Progress.create(withAgop ? "progress measures + AGOP" : "progress measures", "ckpt",
                         files.size(), 0, options.progressBar())) {
                rows = ProgressMeasures.compute(backend, config, files, plan, bar,
                        agopPass == null ? null : agopPass::measure);
                long[] epochs = rows.stream().mapToLong(ProgressMeasures.Row::epoch).toArray();
                double[] test = rows.stream().mapToDouble(r -> r.logits().lossTest()).toArray();
                double[] testAcc = rows.stream().mapToDouble(r -> r.logits().accuracyTest()).toArray();
                double[] excluded = rows.stream().mapToDouble(r -> r.logits().excludedLoss()).toArray();
                phases = PhaseBoundaries.estimate(epochs, test, testAcc, excluded);
                if (agopPass != null) {
                    agop = agopPass.finish(phases);
                }
            }
            AnalysisResults results = new AnalysisResults(dir.root(), target, config, backend.description(), fin,
                    rows, phases, warnings, agop);
            try {
                AnalysisFiles.write(dir.analysis(), results);
            } catch (IOException e) {
                throw new UserError("cannot write " + dir.analysis() + ": " + e.getMessage(), e);
            }
            options.out().print(SummaryText.of(results));
            options.out().println("wrote " + dir.analysis().resolve(AnalysisFiles.SUMMARY) + ", "
                    + AnalysisFiles.PROGRESS_CSV + ", " + AnalysisFiles.PROGRESS_JSON + ", " + AnalysisFiles.ARRAYS);
            return results;
        }
    }
}
