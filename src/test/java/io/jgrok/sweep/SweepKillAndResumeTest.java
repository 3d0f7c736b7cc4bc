package io.jgrok.sweep;

import io.jgrok.cli.Main;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real sweep process is stopped with SIGTERM, restarted, killed with SIGKILL at a random moment, and restarted
 * again: the final sweep equals an uninterrupted one run for run (bit for bit), runs that were done before an
 * interruption are never touched again, and the runs cut off are resumed from their checkpoints.
 */
class SweepKillAndResumeTest {
    private static final String SPEC = "{\"p\": 23, \"d_model\": 32, \"n_heads\": 4, \"d_mlp\": 64, "
            + "\"n_epochs\": 2000, \"checkpoint_every\": 50, \"lr\": 0.01, \"train_fraction\": 0.6, "
            + "\"analysis\": \"none\", \"seeds\": \"1..6\"}";

    @TempDir
    Path tmp;

    private String[] sweep(Path spec, Path out) {
        return new String[] {"sweep", spec.toString(), "--out", out.toString(), "--parallel", "2", "--quiet"};
    }

    @Test
    void sigtermThenSigkillThenRestartFinishesOnlyWhatWasMissing() throws Exception {
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, SPEC);
        Path reference = tmp.resolve("reference");
        assertEquals(0, Main.run(sweep(spec, reference)));

        Path dir = tmp.resolve("sweep");
        Path indexFile = dir.resolve(SweepIndex.FILE);

        // 1. SIGTERM once a run is done: the runs in flight checkpoint and are recorded as interrupted.
        Process first = child("first", sweep(spec, dir));
        waitFor(first, indexFile, idx -> count(idx, RunStatus.DONE) >= 1);
        first.destroy();
        assertTrue(first.waitFor(120, TimeUnit.SECONDS), "sweep did not stop after SIGTERM");
        assertEquals(143, first.exitValue(), "exit status of a JVM ended by SIGTERM");
        SweepIndex afterTerm = SweepIndex.read(indexFile);
        assertEquals(0, count(afterTerm, RunStatus.RUNNING), "no run is left marked running");
        // The two runs in flight train the same number of epochs side by side, so the second one may finish in
        // the moment between the first one's record and the signal: then nothing was in flight to interrupt.
        int interruptedRuns = count(afterTerm, RunStatus.INTERRUPTED);
        assertTrue(interruptedRuns >= 1 || count(afterTerm, RunStatus.DONE) >= 2,
                "the run in flight was interrupted, or had finished as the signal came: "
                        + afterTerm.records().stream().map(r -> r.name + "=" + r.status).toList());
        assertEquals(6, count(afterTerm, RunStatus.DONE) + count(afterTerm, RunStatus.INTERRUPTED)
                + count(afterTerm, RunStatus.PENDING));
        assertTrue(Files.readString(tmp.resolve("first.err")).contains("run the same command again"));

        // 2. Restart, then SIGKILL at a random moment after one more run is done.
        int doneBefore = count(afterTerm, RunStatus.DONE);
        Process second = child("second", sweep(spec, dir));
        waitFor(second, indexFile, idx -> count(idx, RunStatus.DONE) > doneBefore);
        Thread.sleep(new Random(7).nextInt(300));
        second.destroyForcibly();
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, second.exitValue(), "the sweep must have been killed, not have finished");

        // 3. What was done before the kill must not be touched by the final restart.
        SweepIndex afterKill = SweepIndex.read(indexFile);
        assertTrue(count(afterKill, RunStatus.DONE) < 6, "runs were left to do");
        List<RunRecord> doneEarlier = afterKill.records().stream().filter(r -> r.status == RunStatus.DONE).toList();
        List<RunRecord> cutOff = afterKill.records().stream().filter(r -> r.status == RunStatus.RUNNING
                || r.status == RunStatus.INTERRUPTED).toList();
        // A run killed before its trainer wrote the run directory has nothing to resume and starts afresh.
        Map<String, Boolean> heldARun = new java.util.HashMap<>();
        for (RunRecord r : cutOff) {
            heldARun.put(r.name, Files.exists(dir.resolve(r.dir).resolve("config.json")));
        }
        Map<Path, FileTime> untouched = SweepRunnerTest.modificationTimes(dir.resolve("runs"));
        untouched.keySet().removeIf(p -> doneEarlier.stream().noneMatch(r -> p.startsWith(dir.resolve(r.dir))));
        assertTrue(untouched.size() > 0);

        assertEquals(0, Main.run(sweep(spec, dir)));
        SweepIndex fin = SweepIndex.read(indexFile);
        assertEquals(6, count(fin, RunStatus.DONE));
        Map<Path, FileTime> now = SweepRunnerTest.modificationTimes(dir.resolve("runs"));
        for (Map.Entry<Path, FileTime> e : untouched.entrySet()) {
            assertEquals(e.getValue(), now.get(e.getKey()), "a run done before the kill was touched: " + e.getKey());
        }
        for (RunRecord r : doneEarlier) {
            assertEquals(r.attempts, fin.record(r.name).attempts, r.name + " was not trained again");
        }
        for (RunRecord r : cutOff) {
            assertEquals(r.attempts + 1, fin.record(r.name).attempts, r.name + " was trained once more");
            String log = Files.readString(dir.resolve(r.dir).resolve("train.log"));
            String lastSession = log.substring(log.lastIndexOf("==== jgrok sweep"));
            if (heldARun.get(r.name)) {
                // A run killed after its last checkpoint but before the index said so is found complete.
                assertTrue(lastSession.contains("resuming") || lastSession.contains("no intact checkpoint")
                        || lastSession.contains("is already complete"),
                        r.name + " continued from its run directory: " + lastSession);
            } else {
                assertTrue(!lastSession.contains("resuming") && lastSession.contains("jgrok train: "),
                        r.name + " had no run directory yet and started afresh: " + lastSession);
            }
        }
        // Every run, however often it was interrupted, equals the uninterrupted sweep's.
        SweepIndex ref = SweepIndex.read(reference.resolve(SweepIndex.FILE));
        for (RunRecord r : ref.records()) {
            SameRun.assertSameRun(new RunDirectory(reference.resolve(r.dir)), new RunDirectory(dir.resolve(r.dir)));
            assertEquals(r.epochsToGrok, fin.record(r.name).epochsToGrok);
            assertEquals(r.epochsToGrokLoss, fin.record(r.name).epochsToGrokLoss);
        }
    }

    private static int count(SweepIndex index, RunStatus status) {
        return (int) index.records().stream().filter(r -> r.status == status).count();
    }

    private static void waitFor(Process p, Path indexFile, Predicate<SweepIndex> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            if (Files.exists(indexFile) && condition.test(SweepIndex.read(indexFile))) {
                return;
            }
            assertTrue(p.isAlive(), "the sweep process ended before the moment to interrupt it");
            assertTrue(System.nanoTime() < deadline, "timed out waiting for the sweep");
            Thread.sleep(5);
        }
    }

    private Process child(String name, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(tmp.resolve(name + ".out").toFile());
        pb.redirectError(tmp.resolve(name + ".err").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }
}
