package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.IoErrors;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.WriterLock;
import io.jgrok.util.Progress;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a sweep (or one shard of it) in a sweep directory: opens the index, trains what is not done yet through a
 * {@link BatchTrainer}, analyses each finished run, records everything in the index as it happens, and writes the
 * sweep summary. A restart after any interruption picks up where the index says: runs found running or interrupted
 * are resumed from their checkpoints, pending ones started, done ones left alone, failed ones reported (and
 * retried only with {@code retryFailed}).
 *
 * <pre>
 *   SWEEP_DIR/sweep_index.json                 (or sweep_index.shard-I-of-N.json for a shard)
 *   SWEEP_DIR/sweep_summary.json, .csv         one row per run (SweepSummaryFile)
 *   SWEEP_DIR/runs/NAME/                       an ordinary run directory, plus NAME/train.log (console output)
 * </pre>
 */
public final class SweepRunner {

    /**
     * @param sweepDir    the sweep directory
     * @param shard       the shard to run, or null for the whole sweep
     * @param retryFailed train failed runs again (resuming from their last good checkpoint)
     */
    public record Options(Path sweepDir, Shard shard, boolean retryFailed, boolean progressBar, PrintStream out,
                          PrintStream err) {
    }

    /** Counts over the runs this invocation owns (the shard's, or all), after it ends. */
    public record Result(int owned, int done, int failed, int interrupted, int notStarted, List<String> failedRuns,
                         Path index) {
        public boolean complete() {
            return done == owned;
        }
    }

    private final SweepSpec spec;
    private final List<SweepRun> runs;
    private final BatchTrainer trainer;
    private final Options options;
    private SweepIndex index;

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Map<String, Long> currentEpoch = new ConcurrentHashMap<>();
    private final AtomicLong sessionEpochs = new AtomicLong();
    /**
     * Analyses at once: one per core. A device batch ends many runs together, and each analysis holds the model's
     * activations over all p^2 inputs.
     */
    private final Semaphore analyses = new Semaphore(Runtime.getRuntime().availableProcessors());
    private volatile boolean stopRequested;
    /** The progress bar while runs train, else null. */
    private volatile Progress progress;

    private SweepRunner(SweepSpec spec, List<SweepRun> runs, BatchTrainer trainer, Options options) {
        this.spec = spec;
        this.runs = runs;
        this.trainer = trainer;
        this.options = options;
    }

    public static Result run(SweepSpec spec, List<SweepRun> runs, BatchTrainer trainer, Options options) {
        return new SweepRunner(spec, runs, trainer, options).run();
    }

    private Result run() {
        try {
            Files.createDirectories(options.sweepDir());
        } catch (IOException e) {
            throw new UserError("cannot create sweep directory " + options.sweepDir() + ": "
                    + IoErrors.describe(e, options.sweepDir()));
        }
        // One process per index: two processes working on the same runs would write the same index and runs.
        Path lockFile = SweepIndex.lockFile(options.sweepDir(), options.shard());
        WriterLock lock;
        try {
            lock = WriterLock.acquire(lockFile, RunTraining.HOLDER + " " + options.sweepDir(), options.err());
        } catch (WriterLock.Busy e) {
            throw new UserError("another jgrok sweep process is working on " + options.sweepDir()
                    + (options.shard() == null ? "" : " shard " + options.shard()) + " (" + e.owner().describe()
                    + ")" + e.note() + "; wait for it, or " + e.owner().stopHint());
        }
        try (lock) {
            return runLocked();
        }
    }

    private Result runLocked() {
        index = SweepIndex.openOrCreate(options.sweepDir(), spec, options.shard(), runs);
        List<TrainJob> jobs = new ArrayList<>();
        List<String> skippedFailed = new ArrayList<>();
        long totalEpochs = 0;
        long held = 0;
        for (RunRecord r : index.records()) {
            SweepRun run = runs.get(r.index);
            boolean todo = switch (r.status) {
                case PENDING, RUNNING, INTERRUPTED -> true;
                case FAILED -> options.retryFailed();
                // Trained, but its analysis failed or never ran (e.g. killed while analysing): analyse it now.
                case DONE -> spec.analysis() == SweepSpec.Analysis.FULL && r.keyFrequencies == null;
            };
            if (r.status == RunStatus.FAILED && !todo) {
                skippedFailed.add(r.name + " (" + r.exitReason + ")");
            }
            if (todo) {
                RunDirectory dir = new RunDirectory(options.sweepDir().resolve(r.dir));
                jobs.add(new TrainJob(run, dir, dir.root().resolve("train.log")));
                if (r.status != RunStatus.DONE) {
                    totalEpochs += run.config().nEpochs();
                    held += heldEpochs(dir, run.config().nEpochs());
                }
            }
        }
        PrintStream out = options.out();
        out.printf(Locale.ROOT, "jgrok sweep: %s: %d runs%s, %d to do; %s%n", options.sweepDir(),
                index.records().size(), options.shard() == null ? "" : " in shard " + options.shard() + " (of "
                        + runs.size() + ")", jobs.size(), trainer.description());
        for (String s : skippedFailed) {
            out.println("  not retrying failed run " + s + "; pass --retry-failed to train it again");
        }
        if (!jobs.isEmpty()) {
            trainWithProgress(jobs, totalEpochs, held);
        }
        if (options.shard() == null) {
            SweepSummaryFile.write(options.sweepDir(), index.records(), runs);
        }
        return result();
    }

    /**
     * @param totalEpochs epochs of the runs to train
     * @param held        epochs those runs already hold (resumed runs): the bar starts there, so that its speed and
     *                    ETA count only new work
     */
    private void trainWithProgress(List<TrainJob> jobs, long totalEpochs, long held) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            trainer.stopStarting();
            try {
                done.await(150, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "jgrok-sweep-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        RuntimeException[] failure = new RuntimeException[1];
        Thread driver = new Thread(() -> {
            try {
                trainer.train(jobs, new Listener());
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "jgrok-sweep-driver");
        try (Progress bar = Progress.create("sweep", "model-epochs", totalEpochs, held, options.progressBar())) {
            progress = bar;
            driver.start();
            while (driver.isAlive()) {
                try {
                    driver.join(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                bar.stepTo(Math.min(totalEpochs, held + sessionEpochs.get()));
                bar.message(statusLine(jobs.size()));
            }
        } finally {
            progress = null;
            if (stopRequested && failure[0] == null) {
                // Before the latch: once it opens, the shutdown hook returns and the JVM halts, perhaps before
                // this thread gets to print anything more.
                options.err().println("jgrok sweep: stopped; run the same command again to resume the sweep");
                options.err().flush();
            }
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // A signal is ending the JVM; the runs have checkpointed and the index is written.
            }
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /** Runs so far; the bar itself shows model-epochs, model-epochs/s and the time left. */
    private String statusLine(int jobs) {
        return String.format(Locale.ROOT, "runs %d/%d done, %d running, %d failed", finished.get(), jobs,
                running.get(), failed.get());
    }

    /** Prints a line of the sweep's output; while the progress bar is up, through it, so that both stay whole. */
    private void say(String line) {
        Progress bar = progress;
        if (bar != null) {
            bar.println(options.out(), line);
        } else {
            options.out().println(line);
        }
    }

    /** Epochs a run directory holds (its newest checkpoint's epoch + 1), at most {@code nEpochs}. */
    private static long heldEpochs(RunDirectory dir, long nEpochs) {
        List<Path> checkpoints = dir.checkpointFiles();
        return checkpoints.isEmpty() ? 0
                : Math.min(nEpochs, Checkpoints.epochOf(checkpoints.get(checkpoints.size() - 1)) + 1);
    }

    private Result result() {
        int owned = 0;
        int done = 0;
        int failedRuns = 0;
        int interrupted = 0;
        int notStarted = 0;
        List<String> failedNames = new ArrayList<>();
        for (RunRecord r : index.records()) {
            owned++;
            switch (r.status) {
                case DONE -> done++;
                case FAILED -> {
                    failedRuns++;
                    failedNames.add(r.name);
                }
                case INTERRUPTED, RUNNING -> interrupted++;
                case PENDING -> notStarted++;
            }
        }
        return new Result(owned, done, failedRuns, interrupted, notStarted, failedNames, index.path());
    }

    /** Records each run's progress in the index and analyses finished runs (on the thread that trained them). */
    private final class Listener implements BatchTrainer.Listener {
        @Override
        public void started(TrainJob job) {
            running.incrementAndGet();
            index.update(job.name(), r -> {
                if (r.status == RunStatus.FAILED) {
                    r.clearResults();
                }
                r.status = RunStatus.RUNNING;
                r.attempts++;
                r.started = Instant.now().toString();
            });
        }

        @Override
        public void progressed(TrainJob job, long epochsDone) {
            Long before = currentEpoch.put(job.name(), epochsDone);
            if (before != null) {
                sessionEpochs.addAndGet(epochsDone - before);
            }
        }

        @Override
        public void ended(TrainJob job, TrainResult result) {
            try {
                record(job, result);
            } finally {
                running.decrementAndGet();
                finished.incrementAndGet();
            }
        }

        private void record(TrainJob job, TrainResult result) {
            if (result.status() != RunStatus.DONE) {
                if (result.status() == RunStatus.FAILED) {
                    failed.incrementAndGet();
                }
                index.update(job.name(), r -> {
                    r.status = result.status();
                    r.exitReason = result.reason();
                    r.epochsDone = Math.max(r.epochsDone, result.epochsDone());
                    r.wallSeconds += result.wallSeconds();
                    r.finished = Instant.now().toString();
                });
                say(String.format(Locale.ROOT, "jgrok sweep: %s %s: %s", job.name(), result.status().label(),
                        result.reason()));
                return;
            }
            History h = History.read(job.dir().history());
            GrokEpochs grok = GrokEpochs.of(h);
            RunAnalysis.Result analysis = null;
            String analysisError = null;
            if (spec.analysis() == SweepSpec.Analysis.FULL) {
                index.update(job.name(), r -> r.status = RunStatus.RUNNING);
                try (PrintStream log = new PrintStream(new FileOutputStream(job.log().toFile(), true), true,
                        StandardCharsets.UTF_8)) {
                    analyses.acquireUninterruptibly();
                    try {
                        analysis = RunAnalysis.of(job.dir(), job.config().threads(), log);
                    } catch (RuntimeException | OutOfMemoryError e) {
                        analysisError = e.getMessage() == null ? e.toString() : e.getMessage();
                        log.println("jgrok sweep: analysis failed: " + analysisError);
                    } finally {
                        analyses.release();
                    }
                } catch (IOException e) {
                    analysisError = "cannot write " + job.log() + ": " + e.getMessage();
                }
            }
            RunAnalysis.Result a = analysis;
            String aError = analysisError;
            int last = h.size() - 1;
            int lastTest = last;
            while (lastTest > 0 && Double.isNaN(h.testLoss(lastTest))) {
                lastTest--;
            }
            final int lt = lastTest;
            index.update(job.name(), r -> {
                r.status = RunStatus.DONE;
                r.exitReason = null;
                r.epochsDone = result.epochsDone();
                r.wallSeconds += result.wallSeconds();
                if (result.wallSeconds() > 0) {
                    r.epochsPerSecond = result.epochsPerSecond();
                }
                r.epochsToGrok = grok.accuracy();
                r.epochsToGrokLoss = grok.loss();
                r.finalTrainLoss = last >= 0 ? h.trainLoss(last) : null;
                r.finalTrainAcc = last >= 0 ? h.trainAcc(last) : null;
                r.finalTestLoss = lt >= 0 ? h.testLoss(lt) : null;
                r.finalTestAcc = lt >= 0 ? h.testAcc(lt) : null;
                r.keyFrequencies = a == null ? null : a.keyFrequencies();
                r.clusteredFraction = a == null ? null : a.clusteredFraction();
                r.analysisError = aError;
                r.finished = Instant.now().toString();
            });
            say("jgrok sweep: " + job.name() + " done: " + result.epochsDone() + " epochs, "
                    + grokWords(grok.accuracy(), grok.loss())
                    + (a == null ? (aError == null ? "" : "; analysis failed: " + aError)
                            : "; key frequencies " + java.util.Arrays.toString(a.keyFrequencies())));
        }
    }

    /** When a run grokked by either measure, or that it did not ("groks at never" read as a result). */
    static String grokWords(Long accuracyEpoch, Long lossEpoch) {
        String acc = String.format(Locale.ROOT, "test acc >= %.0f%%", 100 * GrokEpochs.TEST_ACCURACY);
        String loss = "test loss < " + GrokEpochs.TEST_LOSS;
        if (accuracyEpoch == null && lossEpoch == null) {
            return "did not grok (never " + acc + " or " + loss + ")";
        }
        if (accuracyEpoch == null) {
            return "did not grok (never " + acc + "; " + loss + " first at epoch " + lossEpoch + ")";
        }
        return "groks at " + accuracyEpoch + " (" + acc + ") / "
                + (lossEpoch == null ? "never" : Long.toString(lossEpoch)) + " (" + loss + ")";
    }
}
