package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import io.jgrok.sweep.RunRecord;
import io.jgrok.sweep.RunStatus;
import io.jgrok.sweep.SweepIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep and a manual {@code train} on the same run take the same lock: whichever trains the run first keeps it,
 * the other is refused (the manual trainer with one line naming the sweep; the sweep records the run as interrupted
 * and resumes it on its next start), and the run ends as if one process had trained it alone.
 */
class SweepAndTrainTest {
    /** The run of {@link OneWriterTest#CONFIG} (a sweep trains on one CPU thread unless told otherwise). */
    static final String SPEC = "{\"p\": 23, \"d_model\": 32, \"n_heads\": 4, \"d_mlp\": 64, \"n_epochs\": "
            + OneWriterTest.EPOCHS + ", \"checkpoint_every\": 20, \"analysis\": \"none\"}";

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private Path spec() throws Exception {
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, SPEC);
        return spec;
    }

    /** The one run of the spec, in a sweep directory. */
    private static RunDirectory runOf(Path sweep) {
        return new RunDirectory(sweep.resolve(SweepIndex.runDir("run")));
    }

    @Test
    void aManualTrainerIsRefusedTheRunASweepIsTraining() throws Exception {
        Path sweep = tmp.resolve("sweep");
        RunDirectory run = runOf(sweep);
        Process sweeper = children.jgrok(tmp, "sweep", "sweep", spec().toString(), "--out", sweep.toString(),
                "--quiet");
        CliRun.waitForCheckpoints(sweeper, run, 3);
        CliRun.signal(sweeper, "STOP");

        InProcessCli.Result manual = InProcessCli.run("train", "--resume", run.root().toString(), "--quiet");
        assertEquals(2, manual.code(), manual.err());
        String line = manual.errorLine();
        assertTrue(line.contains(run.root() + " is being trained by another jgrok process (jgrok sweep " + sweep
                + ", pid " + sweeper.pid() + " on host "), line);
        // The sweep as a whole is held too: a second sweep process is refused.
        InProcessCli.Result again = InProcessCli.run("sweep", spec().toString(), "--out", sweep.toString(), "--quiet");
        assertEquals(2, again.code(), again.err());
        assertTrue(again.errorLine().contains("another jgrok sweep process is working on " + sweep + " (jgrok sweep "
                + sweep + ", pid " + sweeper.pid()), again.err());

        CliRun.signal(sweeper, "CONT");
        assertEquals(0, CliRun.exitOf(sweeper), Files.readString(tmp.resolve("sweep.err")));
        KillAndResumeTest.assertSameRun(ReferenceRun.get(), run);
    }

    @Test
    void aSweepLeavesARunThatAManualTrainerHoldsAndResumesItLater() throws Exception {
        Path sweep = tmp.resolve("sweep");
        RunDirectory run = runOf(sweep);
        Process manual = children.jgrok(tmp, "manual", OneWriterTest.train(run.root(), OneWriterTest.EPOCHS));
        CliRun.waitForCheckpoints(manual, run, 3);
        CliRun.signal(manual, "STOP");

        InProcessCli.Result first = InProcessCli.run("sweep", spec().toString(), "--out", sweep.toString(), "--quiet");
        assertEquals(130, first.code(), "the sweep did not finish every run: " + first.out() + first.err());
        RunRecord r = SweepIndex.read(SweepIndex.file(sweep, null)).record("run");
        assertEquals(RunStatus.INTERRUPTED, r.status);
        assertTrue(r.exitReason.startsWith("another process is training it (jgrok train, pid " + manual.pid()
                + " on host "), r.exitReason);
        assertTrue(r.exitReason.endsWith("the next sweep start resumes it"), r.exitReason);

        CliRun.kill(manual);
        InProcessCli.Result second = InProcessCli.run("sweep", spec().toString(), "--out", sweep.toString(), "--quiet");
        assertEquals(0, second.code(), second.out() + second.err());
        assertEquals(RunStatus.DONE, SweepIndex.read(SweepIndex.file(sweep, null)).record("run").status);
        KillAndResumeTest.assertSameRun(ReferenceRun.get(), run);
        assertEquals(0, Files.size(SweepIndex.lockFile(sweep, null)), "the index lock is empty once the sweep ends");
        assertTrue(SweepIndex.lockFile(sweep, null).getFileName().toString().startsWith("."), "and hidden");
    }
}
