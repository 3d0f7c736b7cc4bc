package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.analysis.Analyzer;
import io.jgrok.analysis.KeyFrequencyRule;
import io.jgrok.io.RunDirectory;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.nio.file.Path;

/** {@code jgrok analyze RUN_DIR}: Fourier analysis of a run's final model and progress measures over its checkpoints. */
final class AnalyzeCommand {
    private AnalyzeCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.value("device", "DEV", "auto (device if usable, else CPU), cpu, cuda, or emulated "
                + "(default auto)"));
        o.addOption(Cli.value("checkpoint", "E", "analyse the checkpoint of epoch E instead of the newest; its key "
                + "frequencies are used for the progress measures"));
        o.addOption(Cli.value("key_freqs", "RULE", "key frequencies for the ablations: clustered (default: those "
                + "that own at least one neuron with frac_explained >= 0.85), notebook (the paper notebook's rule: the "
                + "distinct argmax frequency over all neurons) or a list such as 14,35,41,42,52"));
        o.addOption(Cli.value("threads", "N", "CPU threads (default: all cores)"));
        o.addOption(Cli.value("agop", "WHEN", "AGOP progress measures (average gradient outer product of the logits "
                + "w.r.t. the one-hot inputs; docs/agop.md): on, off, or auto (default: on when analysing on a GPU, "
                + "where they are cheap; on the CPU they cost about a second per paper-size checkpoint per core)"));
        o.addOption(Cli.flag("quiet", "no progress bar"));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("analyze", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok analyze RUN_DIR [options]", "Fourier analysis of a run: the final model's "
                    + "key frequencies, neuron clusters, ablations and Fourier norms, and the progress measures "
                    + "(restricted/excluded loss, Gini, weight norm) over every checkpoint, with phase boundaries; "
                    + "with --agop, the AGOP measures (NFM correlation, circulant deviations, alignment). "
                    + "Writes RUN_DIR/analysis/summary.json, progress.csv, progress.json and arrays.safetensors.\n\n",
                    options, "");
            return 0;
        }
        if (cl.getArgList().size() != 1) {
            throw new UserError("analyze takes one run directory, got " + (cl.getArgList().isEmpty() ? "none"
                    : cl.getArgList().size() + " arguments") + "; see ./jgrok analyze --help");
        }
        String device = cl.getOptionValue("device", "auto");
        if (!java.util.Arrays.asList("auto", "cpu", "cuda", "emulated").contains(device)) {
            throw new UserError("--device must be one of auto, cpu, cuda, emulated; got '" + device + "'");
        }
        int threads = Cli.intValue(cl, "threads", Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new UserError("--threads must be a positive integer, got " + threads);
        }
        Long checkpoint = cl.hasOption("checkpoint") ? Cli.longValue(cl, "checkpoint", 0) : null;
        KeyFrequencyRule rule = cl.hasOption("key_freqs") ? KeyFrequencyRule.parse(cl.getOptionValue("key_freqs"))
                : KeyFrequencyRule.CLUSTERED;
        String agop = cl.getOptionValue("agop", "auto");
        if (!Analyzer.AGOP_CHOICES.contains(agop)) {
            throw new UserError("--agop must be one of auto, on, off; got '" + agop + "'");
        }
        RunDirectory dir = new RunDirectory(Path.of(cl.getArgList().get(0)));
        LiveRunNotice.print(dir, "this analysis covers the checkpoints written so far", System.err);
        Analyzer.run(dir, new Analyzer.Options(checkpoint, device, threads, !cl.hasOption("quiet"), System.out,
                System.err, rule, agop));
        return 0;
    }
}
