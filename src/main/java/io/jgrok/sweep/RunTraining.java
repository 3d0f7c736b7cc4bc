package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.engine.EngineFactory;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.WriteError;
import io.jgrok.io.WriterLock;
import io.jgrok.train.Trainer;
import io.jgrok.train.TrainingLock;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Trains one sweep run with the ordinary {@link Trainer}: a new run is started, a directory that already holds it
 * is resumed from its newest intact checkpoint (a finished run returns at once). The run directory's lock is taken
 * first, as {@code ./jgrok train} takes it, and that choice is made under it: a run that another process is
 * training (a manual {@code train --resume}, another sweep) is left alone and recorded as interrupted, to be resumed
 * on the next start. Every way training can end becomes a {@link TrainResult}; nothing is thrown, so one run cannot
 * stop the others.
 */
public final class RunTraining {
    /** What a sweep's run lock records as its holder, followed by the sweep directory. */
    static final String HOLDER = "jgrok sweep";

    private RunTraining() {
    }

    /**
     * @param engines  opens the run's engine ({@link io.jgrok.engine.Engines#open}, or a batched engine's view)
     * @param onEpochs receives the number of epochs the run holds after each chunk of epochs
     */
    public static TrainResult train(TrainJob job, EngineFactory engines, LongConsumer onEpochs) {
        RunDirectory dir = job.dir();
        try {
            Files.createDirectories(dir.root());
        } catch (IOException e) {
            return TrainResult.failed("cannot create " + dir.root() + ": " + e.getMessage());
        }
        ByteArrayOutputStream lockNotices = new ByteArrayOutputStream();
        WriterLock owner;
        try {
            owner = TrainingLock.acquire(dir, HOLDER + " " + sweepDir(dir), false,
                    new PrintStream(lockNotices, true, StandardCharsets.UTF_8));
        } catch (WriterLock.Busy e) {
            // Not even a line into its train.log: the directory belongs to that process now.
            return new TrainResult(RunStatus.INTERRUPTED, "another process is training it (" + e.owner().describe()
                    + ")" + e.note() + "; the next sweep start resumes it", 0, 0, 0);
        } catch (UserError e) {
            return TrainResult.failed(e.getMessage());
        }
        try (owner; PrintStream log = new PrintStream(new FileOutputStream(job.log().toFile(), true), true,
                StandardCharsets.UTF_8)) {
            log.printf(Locale.ROOT, "%n==== jgrok sweep: %s at %s%n", job.name(), java.time.Instant.now());
            log.print(lockNotices.toString(StandardCharsets.UTF_8));
            Trainer.Options options = new Trainer.Options(false, log, log, onEpochs, engines);
            try {
                Trainer.Outcome outcome = startOrResume(owner, job, options);
                return switch (outcome.status()) {
                    case DONE -> new TrainResult(RunStatus.DONE, null, outcome.epochsDone(), outcome.wallSeconds(),
                            outcome.epochsPerSecond());
                    case INTERRUPTED -> new TrainResult(RunStatus.INTERRUPTED, "interrupted (SIGINT/SIGTERM) after "
                            + outcome.epochsDone() + " epochs; resumed on the next sweep start", outcome.epochsDone(),
                            outcome.wallSeconds(), outcome.epochsPerSecond());
                    case DIVERGED -> TrainResult.failed("diverged");
                };
            } catch (WriteError e) {
                log.println("jgrok: error: " + e.getMessage());
                return new TrainResult(RunStatus.INTERRUPTED, e.detail() + "; the next sweep start resumes it", 0, 0,
                        0);
            } catch (Trainer.TrainingDiverged e) {
                log.println("jgrok: error: " + e.getMessage());
                return TrainResult.failed(e.getMessage());
            } catch (UserError e) {
                log.println("jgrok: error: " + e.getMessage());
                return TrainResult.failed(e.getMessage());
            } catch (IllegalStateException e) {
                if (String.valueOf(e.getMessage()).contains("Shutdown in progress")) {
                    // The JVM began shutting down as this run started: it is resumed on the next start.
                    return new TrainResult(RunStatus.INTERRUPTED, "interrupted before its first epoch", 0, 0, 0);
                }
                e.printStackTrace(log);
                return TrainResult.failed("internal error: " + e);
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                e.printStackTrace(log);
                return TrainResult.failed("internal error: " + e + (e.getCause() != null ? " (" + e.getCause() + ")"
                        : ""));
            }
        } catch (IOException e) {
            return TrainResult.failed("cannot write " + job.log() + ": " + e.getMessage());
        }
    }

    /** The sweep directory of a sweep's run directory (SWEEP/runs/NAME), for the lock's record. */
    private static java.nio.file.Path sweepDir(RunDirectory dir) {
        java.nio.file.Path runs = dir.root().getParent();
        return runs == null || runs.getParent() == null ? dir.root() : runs.getParent();
    }

    private static Trainer.Outcome startOrResume(WriterLock owner, TrainJob job, Trainer.Options options) {
        RunDirectory dir = job.dir();
        if (Files.exists(dir.config()) && Files.exists(dir.split())) {
            RunConfig held = dir.readConfig();
            if (!held.equals(job.config())) {
                throw new UserError(dir.root() + " holds a run with another config than the spec gives; move it "
                        + "away or use another sweep directory");
            }
            return Trainer.resume(owner, dir, 0, options);
        }
        // Nothing, or a start that died before its split was written: start (over).
        return Trainer.start(owner, job.config(), dir, job.run().initFile(), job.run().splitFile(), dir.holdsRun(),
                options);
    }
}
