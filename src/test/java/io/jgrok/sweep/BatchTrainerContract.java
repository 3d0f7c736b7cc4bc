package io.jgrok.sweep;

import io.jgrok.TestConfigs;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link BatchTrainer} must do: N models trained together end exactly as the same N runs trained one by
 * one with {@code ./jgrok train} (history and every checkpoint bit for bit), a partly trained run is resumed, and a
 * run that fails does not disturb the others. Subclasses give the trainer and the device its runs use.
 */
abstract class BatchTrainerContract {
    @TempDir
    Path tmp;

    /** The trainer under test, training {@code width} models at once. */
    abstract BatchTrainer trainer(int width);

    /** The device the runs' configs name. */
    abstract String device();

    /**
     * Six runs in two shape groups of three (p 23 without Grokfast; p 29, another data fraction, with Grokfast EMA),
     * differing in seed, weight decay and length (so that batched runs reach their checkpoints at different times).
     */
    List<RunConfig> configs() {
        List<RunConfig> out = new ArrayList<>();
        int i = 0;
        for (int p : new int[] {23, 29}) {
            for (int k = 0; k < 3; k++) {
                final int n = i++;
                out.add(TestConfigs.with(TestConfigs.small(p, 16, 2, 32), b -> {
                    b.device = device();
                    b.threads = 1;
                    b.seed = n;
                    b.nEpochs = 60 + 7 * n;
                    b.checkpointEvery = 20;
                    b.weightDecay = new double[] {0.3, 1, 3}[n % 3];
                    b.lr = 3e-3;
                    b.trainFraction = p == 29 ? 0.5 : 0.3;
                    b.grokfast = p == 29 ? GrokfastMode.EMA : GrokfastMode.NONE;
                }));
            }
        }
        return out;
    }

    static List<TrainJob> jobs(List<RunConfig> configs, Path dir) {
        List<TrainJob> jobs = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            RunDirectory rd = new RunDirectory(dir.resolve("run" + i));
            jobs.add(new TrainJob(new SweepRun(i, "run" + i, Map.of(), configs.get(i), null, null), rd,
                    dir.resolve("run" + i + ".log")));
        }
        return jobs;
    }

    /** Each run trained on its own, as ./jgrok train would. */
    static RunDirectory alone(RunConfig c, Path dir) {
        RunDirectory rd = new RunDirectory(dir);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Trainer.Outcome out = Trainer.start(c, rd, null, null, false, new Trainer.Options(false, sink, sink));
        assertEquals(Trainer.Status.DONE, out.status());
        return rd;
    }

    /** Collects results and checks the callback order per job. */
    static class Recorder implements BatchTrainer.Listener {
        final Map<String, TrainResult> results = new ConcurrentHashMap<>();
        final Map<String, Long> lastEpochs = new ConcurrentHashMap<>();
        final Map<String, Boolean> started = new ConcurrentHashMap<>();

        @Override
        public void started(TrainJob job) {
            assertTrue(started.put(job.name(), true) == null, "started twice: " + job.name());
        }

        @Override
        public void progressed(TrainJob job, long epochsDone) {
            assertTrue(started.containsKey(job.name()));
            Long before = lastEpochs.put(job.name(), epochsDone);
            assertTrue(before == null || before <= epochsDone, "progress goes forward");
        }

        @Override
        public void ended(TrainJob job, TrainResult result) {
            assertTrue(started.containsKey(job.name()));
            assertTrue(results.put(job.name(), result) == null, "ended twice: " + job.name());
        }
    }

    @Test
    void batchedRunsEqualTheSameRunsTrainedSeparately() throws Exception {
        List<RunConfig> configs = configs();
        for (int width : new int[] {2, configs.size()}) {
            Path dir = tmp.resolve("batched-" + width);
            List<TrainJob> jobs = jobs(configs, dir);
            Recorder rec = new Recorder();
            trainer(width).train(jobs, rec);
            assertEquals(configs.size(), rec.results.size());
            for (int i = 0; i < configs.size(); i++) {
                TrainResult r = rec.results.get("run" + i);
                assertEquals(RunStatus.DONE, r.status(), r.reason());
                assertEquals(configs.get(i).nEpochs(), r.epochsDone());
                assertEquals(configs.get(i).nEpochs(), rec.lastEpochs.get("run" + i));
            }
            for (int i = 0; i < configs.size(); i++) {
                RunDirectory reference = tmp.resolve("alone" + i).toFile().exists()
                        ? new RunDirectory(tmp.resolve("alone" + i)) : alone(configs.get(i), tmp.resolve("alone" + i));
                SameRun.assertSameRun(reference, jobs.get(i).dir());
            }
        }
    }

    @Test
    void partlyTrainedRunsAreResumedAndEndTheSame() throws Exception {
        List<RunConfig> configs = configs().subList(0, 3);
        List<TrainJob> jobs = jobs(configs, tmp.resolve("batched"));
        for (int i = 0; i < configs.size(); i++) {
            RunDirectory reference = alone(configs.get(i), tmp.resolve("alone" + i));
            // The batched run's directory as a run killed after checkpoint 20 would leave it (history runs on).
            copyTree(reference.root(), jobs.get(i).dir().root());
            for (Path f : jobs.get(i).dir().checkpointFiles()) {
                if (Checkpoints.epochOf(f) > 20) {
                    Files.delete(f);
                }
            }
        }
        Recorder rec = new Recorder();
        trainer(2).train(jobs, rec);
        for (int i = 0; i < configs.size(); i++) {
            assertEquals(RunStatus.DONE, rec.results.get("run" + i).status());
            assertTrue(Files.readString(jobs.get(i).log()).contains("resuming"), "run" + i + " was resumed");
            SameRun.assertSameRun(new RunDirectory(tmp.resolve("alone" + i)), jobs.get(i).dir());
        }
    }

    @Test
    void aRunThatFailsDoesNotStopTheOthers() throws Exception {
        List<RunConfig> configs = new ArrayList<>(configs().subList(0, 3));
        // Learning rate 1e30: the weights overflow on the second step and the run stops as diverged.
        configs.set(1, TestConfigs.with(configs.get(1), b -> b.lr = 1e30));
        List<TrainJob> jobs = jobs(configs, tmp.resolve("batched"));
        Recorder rec = new Recorder();
        trainer(2).train(jobs, rec);
        TrainResult bad = rec.results.get("run1");
        assertEquals(RunStatus.FAILED, bad.status());
        assertTrue(bad.reason().contains("diverged"), bad.reason());
        for (int i : new int[] {0, 2}) {
            assertEquals(RunStatus.DONE, rec.results.get("run" + i).status());
            SameRun.assertSameRun(alone(configs.get(i), tmp.resolve("alone" + i)), jobs.get(i).dir());
        }
    }

    @Test
    void stopStartingLeavesUnstartedJobsAlone() throws Exception {
        List<RunConfig> configs = configs();
        List<TrainJob> jobs = jobs(configs, tmp.resolve("batched"));
        BatchTrainer trainer = trainer(1);
        Recorder rec = new Recorder() {
            @Override
            public void ended(TrainJob job, TrainResult result) {
                super.ended(job, result);
                trainer.stopStarting();
            }
        };
        trainer.train(jobs, rec);
        assertEquals(1, rec.results.size(), "only the first job ran");
        for (TrainJob j : jobs.subList(1, jobs.size())) {
            assertTrue(!Files.exists(j.dir().root()), j.dir().root() + " untouched");
        }
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
