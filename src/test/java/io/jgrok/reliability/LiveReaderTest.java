package io.jgrok.reliability;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jgrok.InProcessCli;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.TrainingLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readers of a run that is being trained get a consistent snapshot: the checkpoints that existed when they listed
 * them, each whole; the history, whole, holding at least every epoch up to the newest of those checkpoints; an
 * analysis of exactly those checkpoints; and a note naming the trainer. The trainer is never held up or disturbed.
 */
class LiveReaderTest {
    static final int EVERY = 100;

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void readersOfALiveRunSeeAConsistentSnapshot() throws Exception {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        // Long enough to outlast the readers; it is stopped with SIGTERM at the end.
        // Checkpoints every 100 epochs, so that the analysis below has a few dozen of them at most to go through.
        String[] args = OneWriterTest.train(dir.root(), OneWriterTest.FOREVER);
        args[java.util.Arrays.asList(args).indexOf("--checkpoint_every") + 1] = Integer.toString(EVERY);
        Process trainer = children.jgrok(tmp, "trainer", args);
        CliRun.waitForCheckpoints(trainer, dir, 3);
        assertEquals(trainer.pid(), TrainingLock.liveTrainer(dir).orElseThrow().pid(), "a reader sees the trainer");

        // Raw files, read over and over while the trainer rewrites them.
        long newestSeen = -1;
        for (int round = 0; round < 40; round++) {
            List<Path> listed = dir.checkpointFiles();
            long newest = Checkpoints.epochOf(listed.get(listed.size() - 1));
            History h = History.read(dir.history());  // whole: it parses, and its rows are consecutive
            assertTrue(h.size() >= newest + 1, "history " + h.size() + " rows, newest checkpoint " + newest);
            assertEquals(newest, Checkpoints.read(listed.get(listed.size() - 1)).epoch());
            assertTrue(newest >= newestSeen);
            newestSeen = newest;
            Thread.sleep(20);
        }
        for (Path f : dir.checkpointFiles()) {
            Checkpoints.read(f);  // every checkpoint whole (its checksum verified)
        }

        // figures says so too (here before it finds that there is no analysis to draw yet).
        InProcessCli.Result figures = InProcessCli.run("figures", dir.root().toString());
        assertEquals(2, figures.code(), figures.err());
        assertTrue(figures.err().startsWith("jgrok: note: " + dir.root() + " is being trained now (jgrok train, pid "
                + trainer.pid() + " on host "), figures.err());
        assertTrue(figures.err().contains("jgrok: error: no analysis in " + dir.root()), figures.err());

        // analyze: the checkpoints listed at its start, from 0 to the newest then, every one of them.
        InProcessCli.Result analysis = InProcessCli.run("analyze", dir.root().toString(), "--device", "cpu",
                "--threads", "1", "--quiet");
        assertEquals(0, analysis.code(), analysis.err());
        assertTrue(analysis.err().contains("jgrok: note: " + dir.root() + " is being trained now (jgrok train, pid "
                + trainer.pid() + " on host "), analysis.err());
        JsonObject summary = json(dir.analysis().resolve("summary.json"));
        long analysed = summary.get("epoch").getAsLong();
        assertTrue(Files.exists(dir.checkpoint(analysed)));
        JsonArray epochs = json(dir.analysis().resolve("progress.json")).getAsJsonArray("epoch");
        assertEquals(summary.get("n_checkpoints").getAsInt(), epochs.size());
        for (int i = 0; i < epochs.size(); i++) {
            assertEquals((long) EVERY * i, epochs.get(i).getAsLong(), "the progress measures cover every checkpoint in "
                    + "order");
        }
        assertEquals(analysed, epochs.get(epochs.size() - 1).getAsLong(), "and end at the analysed one");
        assertTrue(trainer.isAlive(), "the trainer runs on");

        trainer.destroy();  // SIGTERM: checkpoints and stops
        assertTrue(trainer.waitFor(120, TimeUnit.SECONDS));
        assertEquals(143, trainer.exitValue(), Files.readString(tmp.resolve("trainer.err")));
        assertTrue(TrainingLock.liveTrainer(dir).isEmpty(), "no live trainer once it has stopped");
    }

    private static JsonObject json(Path f) throws Exception {
        return new Gson().fromJson(Files.readString(f), JsonObject.class);
    }
}
