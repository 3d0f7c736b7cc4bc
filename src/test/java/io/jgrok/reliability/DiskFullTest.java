package io.jgrok.reliability;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.jgrok.InProcessCli;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.WriteError;
import io.jgrok.model.TrainingState;
import io.jgrok.sweep.RunRecord;
import io.jgrok.sweep.RunStatus;
import io.jgrok.sweep.SweepIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run on a disk that fills up: training stops with one line (which file, "the disk is full", what is intact, how
 * to resume) and exit status 4; run_info.json records why; nothing written before is lost; after space is freed,
 * --resume ends bit-identical to a run that never ran out. The disk is a real tmpfs of a few hundred KB, so the
 * failure is the kernel's own ENOSPC; mounting one needs root, as CI has (elsewhere the test is skipped).
 */
class DiskFullTest {
    /** Checkpoints of 31 KB, a history of 30 KB: a 256 KB disk fills a few checkpoints in. */
    static final String[] CONFIG = {"--p", "11", "--d_model", "16", "--n_heads", "2", "--d_mlp", "32",
        "--n_epochs", "400", "--checkpoint_every", "20", "--device", "cpu", "--threads", "1", "--quiet"};

    @TempDir
    Path tmp;
    private SmallDisk smallDisk;
    private Path disk;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        smallDisk = SmallDisk.mount(tmp.resolve("disk"), "256k");
        disk = smallDisk.root;
    }

    @AfterEach
    void unmount() throws Exception {
        if (smallDisk != null) {
            smallDisk.close();
        }
    }

    @Test
    void aFullDiskStopsTrainingWithOneLineAndResumeEndsBitIdentical() throws Exception {
        RunDirectory reference = new RunDirectory(tmp.resolve("reference"));
        assertEquals(0, InProcessCli.run(train(reference.root())).code());

        RunDirectory dir = new RunDirectory(disk.resolve("run"));
        InProcessCli.Result full = InProcessCli.run(train(dir.root()));
        assertEquals(4, full.code(), full.out() + full.err());
        String line = full.errorLine();
        List<Path> kept = dir.checkpointFiles();
        assertTrue(kept.size() >= 2 && kept.size() < reference.checkpointFiles().size(), "the disk filled mid-run: "
                + kept.size() + " checkpoints");
        long newest = Checkpoints.epochOf(kept.get(kept.size() - 1));
        assertTrue(line.startsWith("jgrok: error: the disk is full: cannot write " + dir.root()), line);
        assertTrue(line.contains("(No space left on device); the run is intact up to checkpoint " + newest
                + "; free some space, then resume with: ./jgrok train --resume " + dir.root()), line);

        JsonObject info = new Gson().fromJson(Files.readString(dir.runInfo()), JsonObject.class);
        assertEquals("interrupted", info.get("status").getAsString());
        assertTrue(info.get("stop_reason").getAsString().startsWith("the disk is full: cannot write "),
                info.toString());

        // Nothing written before the fault is lost: every checkpoint equals the reference's, the history is whole
        // and agrees with the reference's rows, and no temporary was left behind.
        for (Path f : kept) {
            assertSameState(reference.checkpoints().resolve(f.getFileName()), f);
        }
        History h = History.read(dir.history());
        History want = History.read(reference.history());
        assertTrue(h.size() >= newest + 1, "history covers the newest checkpoint");
        for (int i = 0; i < h.size(); i++) {
            assertEquals(want.trainLoss(i), h.trainLoss(i), "train loss, epoch " + i);
            assertEquals(want.testLoss(i), h.testLoss(i), "test loss, epoch " + i);
        }
        try (Stream<Path> s = Files.walk(dir.root())) {
            assertEquals(List.of(), s.filter(AtomicFiles::isTemporary).toList(), "temporaries of failed writes");
        }

        // Space freed: the run resumes where it stopped and ends as if the disk had never filled.
        smallDisk.grow("16m");
        InProcessCli.Result resumed = InProcessCli.run("train", "--resume", dir.root().toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.err());
        KillAndResumeTest.assertSameRun(reference, dir);
        info = new Gson().fromJson(Files.readString(dir.runInfo()), JsonObject.class);
        assertEquals("done", info.get("status").getAsString());
        assertTrue(!info.has("stop_reason"), info.toString());
    }

    @Test
    void aSweepOnAFullDiskStopsAndTheSameCommandResumesIt() throws Exception {
        RunDirectory reference = new RunDirectory(tmp.resolve("reference"));
        assertEquals(0, InProcessCli.run(train(reference.root())).code());
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, "{\"p\": 11, \"d_model\": 16, \"n_heads\": 2, \"d_mlp\": 32, \"n_epochs\": 400, "
                + "\"checkpoint_every\": 20, \"analysis\": \"none\"}");
        Path sweep = disk.resolve("sweep");
        String[] command = {"sweep", spec.toString(), "--out", sweep.toString(), "--quiet"};

        InProcessCli.Result full = InProcessCli.run(command);
        // The run stops (its history no longer fits), is recorded as interrupted, and the sweep goes on to the end:
        // exit 130 (a run was interrupted), or, when the sweep summary does not fit either, exit 4 with one line.
        if (full.code() == WriteError.EXIT_CODE) {
            assertEquals(1, full.err().strip().lines().count(), full.err());
            assertTrue(full.err().startsWith("jgrok: error: the disk is full: cannot write " + sweep.resolve(
                    "sweep_summary.")), full.err());
            assertTrue(full.err().strip().endsWith("then run the same sweep command again to resume"), full.err());
        } else {
            assertEquals(130, full.code(), full.out() + full.err());
        }
        RunRecord r = SweepIndex.read(SweepIndex.file(sweep, null)).record("run");
        assertEquals(RunStatus.INTERRUPTED, r.status);
        assertTrue(r.exitReason.startsWith("the disk is full: cannot write " + sweep), r.exitReason);
        assertTrue(r.exitReason.endsWith("; the next sweep start resumes it"), r.exitReason);

        smallDisk.grow("16m");
        InProcessCli.Result resumed = InProcessCli.run(command);
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        KillAndResumeTest.assertSameRun(reference, new RunDirectory(sweep.resolve(SweepIndex.runDir("run"))));
    }

    private static String[] train(Path out) {
        return CliRun.concat(new String[] {"train", "--out", out.toString()}, CONFIG);
    }

    private static void assertSameState(Path expected, Path actual) {
        TrainingState s = Checkpoints.read(expected).state();
        TrainingState t = Checkpoints.read(actual).state();
        assertEquals(s.step(), t.step());
        assertArrayEquals(s.params(), t.params(), "weights of " + actual.getFileName());
        assertArrayEquals(s.adamM(), t.adamM(), "exp_avg of " + actual.getFileName());
        assertArrayEquals(s.adamV(), t.adamV(), "exp_avg_sq of " + actual.getFileName());
    }
}
