package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.Engine;
import io.jgrok.engine.Engines;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code jgrok bench}: epochs per second of an engine at a config (the paper's by default), test loss every
 * epoch, measured after warm-up epochs as the median of several timed repeats.
 */
final class BenchCommand {
    private BenchCommand() {
    }

    /** Runs rounds of epochs until two consecutive rounds agree within 3% (or 60 s); returns epochs run. */
    private static long warmUntilSteady(Engine engine, long firstEpoch, int roundEpochs) {
        long epoch = firstEpoch;
        long start = System.nanoTime();
        double previous = Double.MAX_VALUE;
        while (System.nanoTime() - start < 60_000_000_000L) {
            long t0 = System.nanoTime();
            epoch += engine.runEpochs(epoch, roundEpochs, (e, a, b, c, d) -> { });
            double t = System.nanoTime() - t0;
            if (Math.abs(t - previous) < 0.03 * previous && System.nanoTime() - start > 5_000_000_000L) {
                break;
            }
            previous = t;
        }
        System.out.printf(Locale.ROOT, "  warm-up: %d epochs, %.1f s%n", epoch - firstEpoch,
                (System.nanoTime() - start) / 1e9);
        return epoch - firstEpoch;
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    /**
     * bench's own flags first, then the train flags that change what is measured (the model, data, optimiser and
     * engine); flags about a run's files, checkpoints or console are not bench's.
     */
    static Options options() {
        java.util.Set<String> notBench = java.util.Set.of("out", "init", "split_file", "resume", "force", "quiet",
                "checkpoint_every", "profile", "debug", "help");
        Options o = new Options();
        o.addOption(Cli.value("epochs", "N", "epochs per timed repeat (default 50)"));
        o.addOption(Cli.value("repeats", "N", "timed repeats; the median is reported (default 5)"));
        o.addOption(Cli.value("warmup", "N", "untimed warm-up epochs; default: until two rounds of epochs agree "
                + "within 3% (the JIT compiles the SIMD loops a few seconds in), at most 60 s"));
        for (org.apache.commons.cli.Option opt : TrainCommand.options().getOptions()) {
            if (!notBench.contains(opt.getLongOpt())) {
                o.addOption(opt);
            }
        }
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("bench", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok bench [options]", "Measure training speed (epochs/s, test loss every epoch) at "
                    + "the paper's config or the one the train flags below give; --n_epochs only sizes the "
                    + "estimate of a whole run's time.\n\n", options, "");
            return 0;
        }
        RunConfig config = TrainCommand.config(cl);
        int epochs = Cli.intValue(cl, "epochs", 50);
        int repeats = Cli.intValue(cl, "repeats", 5);
        int warmup = Cli.intValue(cl, "warmup", -1);
        if (epochs < 1 || repeats < 1 || warmup < -1) {
            throw new UserError("--epochs and --repeats must be positive and --warmup >= 0");
        }
        Split split = Split.of(config);
        try (Engine engine = Engines.open(config, split, System.err)) {
            System.out.println("jgrok bench: " + engine.description());
            System.out.printf(Locale.ROOT, "  config: p %d, d_model %d, heads %d, d_mlp %d, train %d, test %d, "
                            + "test loss every %d epoch(s)%n", config.p(), config.dModel(), config.nHeads(),
                    config.dMlp(), split.trainSize(), split.testSize(), config.evalEvery());
            engine.setState(TrainingState.fresh(Initializer.initialParameters(config)));
            long epoch = 0;
            if (warmup >= 0) {
                epoch += engine.runEpochs(epoch, warmup, (e, a, b, c, d) -> { });
            } else {
                epoch += warmUntilSteady(engine, epoch, epochs);
            }
            double[] msPerEpoch = new double[repeats];
            double[] cpuMsPerEpoch = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long c0 = processCpuNanos();
                long t0 = System.nanoTime();
                epoch += engine.runEpochs(epoch, epochs, (e, a, b, c, d) -> { });
                msPerEpoch[r] = (System.nanoTime() - t0) / 1e6 / epochs;
                cpuMsPerEpoch[r] = (processCpuNanos() - c0) / 1e6 / epochs;
            }
            double[] cpuSorted = cpuMsPerEpoch.clone();
            Arrays.sort(cpuSorted);
            double[] sorted = msPerEpoch.clone();
            Arrays.sort(sorted);
            double median = sorted[repeats / 2];
            System.out.printf(Locale.ROOT, "  ms/epoch: median %.2f (min %.2f, max %.2f over %d x %d epochs)%n",
                    median, sorted[0], sorted[repeats - 1], repeats, epochs);
            System.out.printf(Locale.ROOT, "  epochs/s: %.1f; a %d-epoch run takes %.1f min%n", 1000 / median,
                    config.nEpochs(), config.nEpochs() * median / 60000);
            System.out.printf(Locale.ROOT, "  process CPU time: median %.2f ms/epoch (%.2f ms per thread; wall time "
                    + "exceeds this when other processes compete for the cores)%n", cpuSorted[repeats / 2],
                    cpuSorted[repeats / 2] / config.threads());
        }
        return 0;
    }
}
