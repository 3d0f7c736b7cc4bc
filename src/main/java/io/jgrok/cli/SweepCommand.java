package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.sweep.BatchTrainer;
import io.jgrok.sweep.BatchTrainers;
import io.jgrok.sweep.ShapeKey;
import io.jgrok.sweep.Shard;
import io.jgrok.sweep.SweepBench;
import io.jgrok.sweep.SweepMerge;
import io.jgrok.sweep.SweepRun;
import io.jgrok.sweep.SweepRunner;
import io.jgrok.sweep.SweepSpec;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jgrok sweep SPEC --out DIR}: many runs from a grid spec; {@code jgrok sweep merge DIR}: combine the
 * shards of a sweep; {@code jgrok sweep --bench N}: model-epochs/s with N models at once.
 */
final class SweepCommand {
    /** Exit code when some runs failed (the others finished). */
    static final int SOME_FAILED = 1;
    /** Exit code when the sweep stopped before every run ended (SIGINT/SIGTERM). */
    static final int STOPPED = 130;

    private SweepCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.value("out", "DIR", "sweep directory: index, summary and one run directory per run "
                + "(DIR/runs/NAME)"));
        o.addOption(Cli.value("parallel", "R", "runs trained at once: on the CPU, runs on their own threads (default: "
                + "cores / the runs' threads); on a device, models of one shape per kernel launch (default "
                + BatchTrainers.DEFAULT_DEVICE_BATCH + ")"));
        o.addOption(Cli.value("shard", "I/N", "run only shard I of N (runs whose index is I mod N), into "
                + "DIR/sweep_index.shard-I-of-N.json; combine shards with ./jgrok sweep merge DIR"));
        o.addOption(Cli.flag("retry_failed", "train failed runs again (from their last good checkpoint)"));
        o.addOption(Cli.flag("dry_run", "validate the spec and list its runs without training"));
        o.addOption(Cli.value("bench", "N", "benchmark: model-epochs/s training N paper-config models (seeds "
                + "0..N-1) at once; train flags after -- change the config (e.g. -- --device cuda)"));
        o.addOption(Cli.value("epochs", "E", "with --bench: epochs per model (default 100)"));
        o.addOption(Cli.value("warmup", "E", "with --bench: epochs of an untimed warm-up round (default 200)"));
        o.addOption(Cli.flag("quiet", "no progress bar"));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        int dashes = java.util.Arrays.asList(args).indexOf("--");
        String[] own = dashes < 0 ? args : java.util.Arrays.copyOfRange(args, 0, dashes);
        String[] trainArgs = dashes < 0 ? new String[0] : java.util.Arrays.copyOfRange(args, dashes + 1, args.length);
        CommandLine cl = Cli.parse("sweep", options, own);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok sweep SPEC --out DIR [options]\n       ./jgrok sweep merge DIR\n"
                            + "       ./jgrok sweep --bench N [--epochs E] [-- train flags]",
                    "Train every run of a sweep spec: a JSON object of ./jgrok train flags, each a value, a list "
                            + "of values (an axis) or an integer range \"A..B\"; the runs are the cartesian product "
                            + "of the axes. Example: {\"n_epochs\": 20000, \"seeds\": \"1..5\", \"weight_decay\": "
                            + "[0.3, 1, 3], \"train_fraction\": [0.2, 0.3, 0.5]}. Runs get threads 1 and device cpu "
                            + "unless the spec sets them; \"analysis\": \"none\" skips analysing each finished run. "
                            + "The sweep index records each run's status; running the same command again resumes an "
                            + "interrupted sweep.\n\n",
                    options, "\nExit status: 0 all runs done, 1 some runs failed, 2 bad input, 130 stopped.");
            return 0;
        }
        List<String> positional = cl.getArgList();
        if (cl.hasOption("bench")) {
            return bench(cl, trainArgs);
        }
        if (trainArgs.length > 0) {
            throw new UserError("train flags after -- are only for --bench; put them in the sweep spec");
        }
        if (!positional.isEmpty() && positional.get(0).equals("merge")) {
            if (positional.size() != 2) {
                throw new UserError("usage: ./jgrok sweep merge DIR");
            }
            SweepMerge.merge(Path.of(positional.get(1)), new TrainFlags(), System.out);
            System.out.println(nextStep(Path.of(positional.get(1))));
            return 0;
        }
        if (positional.size() != 1) {
            throw new UserError("sweep takes one spec file, got " + (positional.isEmpty() ? "none"
                    : positional.size() + " arguments") + "; see ./jgrok sweep --help");
        }
        TrainFlags flags = new TrainFlags();
        SweepSpec spec = SweepSpec.read(Path.of(positional.get(0)), flags);
        List<SweepRun> runs = spec.expand(flags);
        Shard shard = cl.hasOption("shard") ? Shard.parse(cl.getOptionValue("shard")) : null;
        if (cl.hasOption("dry_run")) {
            return dryRun(runs, shard);
        }
        if (!cl.hasOption("out")) {
            throw new UserError("sweep needs --out DIR (the sweep directory)");
        }
        int threads = runs.stream().mapToInt(r -> r.config().threads()).max().orElse(1);
        int parallel = Cli.intValue(cl, "parallel", 0);
        if (parallel < 0 || cl.hasOption("parallel") && parallel == 0) {
            throw new UserError("--parallel must be a positive integer, got " + parallel);
        }
        BatchTrainer trainer = BatchTrainers.forDevice(runs.get(0).config().device(), parallel, threads, System.err);
        SweepRunner.Result r = SweepRunner.run(spec, runs, trainer, new SweepRunner.Options(
                Path.of(cl.getOptionValue("out")), shard, cl.hasOption("retry_failed"), !cl.hasOption("quiet"),
                System.out, System.err));
        System.out.printf(Locale.ROOT, "jgrok sweep: %d of %d runs done, %d failed, %d stopped, %d not started; "
                + "index %s%n", r.done(), r.owned(), r.failed(), r.interrupted(), r.notStarted(), r.index());
        Path sweepDir = Path.of(cl.getOptionValue("out"));
        if (shard != null) {
            System.out.println("next: when every shard has finished, ./jgrok sweep merge " + sweepDir
                    + " combines them; then ./jgrok figures " + sweepDir);
        } else if (r.done() > 0) {
            System.out.println(nextStep(sweepDir));
        }
        if (r.failed() > 0) {
            System.err.println("jgrok sweep: " + r.failed() + " run(s) failed: " + String.join(", ", r.failedRuns())
                    + " (exit reasons in " + r.index() + "; --retry-failed trains them again)");
            return SOME_FAILED;
        }
        return r.complete() ? 0 : STOPPED;
    }

    /** What to run once a sweep's summary is written. */
    static String nextStep(Path sweepDir) {
        return "next: ./jgrok figures " + sweepDir + " draws the sweep figures and " + sweepDir.resolve("report.html")
                + " (with a table of the runs)";
    }

    private static int dryRun(List<SweepRun> runs, Shard shard) {
        Map<ShapeKey, List<SweepRun>> groups = ShapeKey.group(runs, SweepRun::config);
        System.out.printf(Locale.ROOT, "%d runs in %d shape group(s)%s%n", runs.size(), groups.size(),
                shard == null ? "" : "; shard " + shard + " owns the runs marked *");
        for (SweepRun r : runs) {
            System.out.printf(Locale.ROOT, "%s %5d  %-40s %s%n", shard != null && shard.owns(r.index()) ? "*" : " ",
                    r.index(), r.name(), r.shape().label());
        }
        return 0;
    }

    private static int bench(CommandLine cl, String[] trainArgs) {
        int models = Cli.intValue(cl, "bench", 1);
        int epochs = Cli.intValue(cl, "epochs", 100);
        int warmup = Cli.intValue(cl, "warmup", 200);
        if (models < 1 || epochs < 1 || warmup < 0) {
            throw new UserError("--bench and --epochs must be positive and --warmup >= 0");
        }
        CommandLine tl = Cli.parse("train", TrainCommand.options(), trainArgs);
        RunConfig.Builder b = TrainCommand.config(tl).toBuilder();
        if (!tl.hasOption("threads")) {
            b.threads = 1;
        }
        if (!tl.hasOption("device")) {
            b.device = "cpu";
        }
        RunConfig config = b.build();
        int cores = Runtime.getRuntime().availableProcessors();
        int parallel = Cli.intValue(cl, "parallel", 0);
        if (parallel < 0 || cl.hasOption("parallel") && parallel == 0) {
            throw new UserError("--parallel must be a positive integer, got " + parallel);
        }
        BatchTrainer trainer = BatchTrainers.forDevice(config.device(), parallel, config.threads(), System.err);
        System.out.printf(Locale.ROOT, "jgrok sweep --bench %d: %s; p %d, d_model %d, d_mlp %d, %d thread(s) per "
                        + "model, %d epochs per model%n", models, trainer.description(), config.p(), config.dModel(),
                config.dMlp(), config.threads(), epochs);
        SweepBench.Result r = SweepBench.run(config, models, epochs, warmup, trainer, System.out);
        System.out.printf(Locale.ROOT, "  %d models x %d epochs in %.1f s: %.1f model-epochs/s (%.1f epochs/s per "
                        + "model)%n", r.models(), r.epochs(), r.wallSeconds(), r.modelEpochsPerSecond(),
                r.modelEpochsPerSecond() / Math.min(r.models(), r.width()));
        System.out.printf(Locale.ROOT, "  process CPU time: %.1f ms per model-epoch (%.0f%% of %d core(s) busy; wall "
                        + "time exceeds CPU time when other processes compete for the cores)%n",
                r.cpuMsPerModelEpoch(), 100 * r.cpuSeconds() / (r.wallSeconds() * cores), cores);
        return 0;
    }
}
