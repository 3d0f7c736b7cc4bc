package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.io.RunDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code jgrok sweep --bench N}: model-epochs per second when a batch trainer trains N models of one config (the
 * paper's by default) with seeds 0..N-1, measured through the same path a sweep takes (trainer, run files, one
 * checkpoint at the end), after an untimed warm-up round that lets the JIT compile the hot loops.
 */
public final class SweepBench {
    /** The measurement. */
    /**
     * @param cpuSeconds CPU time of the whole process over the timed round: with the wall time it tells how much
     *                   of the cores the benchmark had (other processes compete on a shared machine)
     */
    public record Result(int models, int width, int epochs, double wallSeconds, double cpuSeconds) {
        public double modelEpochsPerSecond() {
            return (double) models * epochs / wallSeconds;
        }

        /** CPU milliseconds per model-epoch: the cost of an epoch when the cores are not shared. */
        public double cpuMsPerModelEpoch() {
            return 1000 * cpuSeconds / ((double) models * epochs);
        }
    }

    private SweepBench() {
    }

    public static Result run(RunConfig base, int models, int epochs, int warmupEpochs, BatchTrainer trainer,
                             PrintStream out) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("jgrok-sweep-bench");
        } catch (IOException e) {
            throw new UserError("cannot create a temporary directory: " + e.getMessage());
        }
        try {
            if (warmupEpochs > 0) {
                int warm = Math.min(models, trainer.width());
                long t0 = System.nanoTime();
                trainer.train(jobs(base, warm, warmupEpochs, tmp.resolve("warmup")), quiet());
                out.printf(Locale.ROOT, "  warm-up: %d model(s) x %d epochs, %.1f s%n", warm, warmupEpochs,
                        (System.nanoTime() - t0) / 1e9);
            }
            List<TrainJob> jobs = jobs(base, models, epochs, tmp.resolve("timed"));
            List<String> failures = new ArrayList<>();
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            trainer.train(jobs, new BatchTrainer.Listener() {
                @Override
                public void started(TrainJob job) {
                }

                @Override
                public void progressed(TrainJob job, long epochsDone) {
                }

                @Override
                public void ended(TrainJob job, TrainResult result) {
                    if (result.status() != RunStatus.DONE) {
                        synchronized (failures) {
                            failures.add(job.name() + ": " + result.reason());
                        }
                    }
                }
            });
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (processCpuNanos() - c0) / 1e9;
            if (!failures.isEmpty()) {
                throw new IllegalStateException("benchmark runs failed: " + failures);
            }
            return new Result(models, trainer.width(), epochs, wall, cpu);
        } finally {
            deleteTree(tmp);
        }
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0L;
    }

    private static List<TrainJob> jobs(RunConfig base, int models, int epochs, Path dir) {
        List<TrainJob> jobs = new ArrayList<>();
        for (int i = 0; i < models; i++) {
            RunConfig.Builder b = base.toBuilder();
            b.seed = i;
            b.nEpochs = epochs;
            b.checkpointEvery = Integer.MAX_VALUE;
            RunConfig c = b.build();
            String name = "seed" + i;
            RunDirectory rd = new RunDirectory(dir.resolve(name));
            jobs.add(new TrainJob(new SweepRun(i, name, Map.of(), c, null, null), rd, dir.resolve(name + ".log")));
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create " + dir + ": " + e.getMessage());
        }
        return jobs;
    }

    private static BatchTrainer.Listener quiet() {
        return new BatchTrainer.Listener() {
            @Override
            public void started(TrainJob job) {
            }

            @Override
            public void progressed(TrainJob job, long epochsDone) {
            }

            @Override
            public void ended(TrainJob job, TrainResult result) {
            }
        };
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
