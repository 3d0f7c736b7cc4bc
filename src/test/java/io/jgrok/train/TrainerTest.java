package io.jgrok.train;

import io.jgrok.TestConfigs;
import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.model.Initializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short run end to end: files, history rows, checkpoint epochs and contents. */
class TrainerTest {
    @TempDir
    Path tmp;

    static Trainer.Options quiet() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        return new Trainer.Options(false, sink, sink);
    }

    @Test
    void runWritesHistorySplitConfigAndCheckpoints() throws Exception {
        RunConfig c = TestConfigs.with(TestConfigs.small(11, 16, 2, 32), b -> {
            b.nEpochs = 23;
            b.checkpointEvery = 10;
            b.evalEvery = 2;
        });
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        Trainer.Outcome out = Trainer.start(c, dir, null, null, false, quiet());
        assertEquals(Trainer.Status.DONE, out.status());
        assertEquals(23, out.epochsDone());
        assertTrue(Files.exists(dir.config()));
        assertTrue(Files.exists(dir.split()));
        assertTrue(Files.exists(dir.runInfo()));
        History h = History.read(dir.history());
        assertEquals(23, h.size());
        for (int i = 0; i < h.size(); i++) {
            assertEquals(i, h.epoch(i));
            assertTrue(Double.isFinite(h.trainLoss(i)));
            assertEquals(i % 2 == 0, Double.isFinite(h.testLoss(i)), "test loss only on eval epochs");
        }
        // Checkpoints after epochs 0, 10, 20 and the last epoch 22.
        assertEquals(4, dir.checkpointFiles().size());
        for (long e : new long[] {0, 10, 20, 22}) {
            assertTrue(Files.exists(dir.checkpoint(e)), "checkpoint " + e);
        }
        // Checkpoint 0 holds the initial weights (the first step runs at lr 0) but Adam has taken one step.
        Checkpoints.Checkpoint ck0 = Checkpoints.read(dir.checkpoint(0));
        assertArrayEquals(Initializer.initialParameters(c), ck0.state().params());
        assertEquals(1, ck0.state().step());
        assertEquals(c, ck0.config());
        Checkpoints.Checkpoint last = Checkpoints.read(dir.checkpoint(22));
        assertEquals(23, last.state().step());
        // The losses fall on this easy problem.
        assertTrue(h.trainLoss(22) < h.trainLoss(0));
    }

    @Test
    void aStartKilledBeforeItsConfigWasWrittenLeavesADirectoryThatAPlainRestartReuses() throws Exception {
        RunConfig c = TestConfigs.with(TestConfigs.small(5, 8, 2, 8), b -> b.nEpochs = 2);
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        // config.json is written last by a start, so a kill before it leaves at most the split behind.
        io.jgrok.io.SplitFiles.write(dir.split(), io.jgrok.data.Split.of(c));
        assertFalse(dir.holdsRun());
        assertEquals(Trainer.Status.DONE, Trainer.start(c, dir, null, null, false, quiet()).status());
        assertTrue(Files.exists(dir.config()));
    }

    @Test
    void refusesADirectoryHoldingARunUnlessForced() {
        RunConfig c = TestConfigs.with(TestConfigs.small(5, 8, 2, 8), b -> b.nEpochs = 2);
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        Trainer.start(c, dir, null, null, false, quiet());
        UserError e = assertThrows(UserError.class, () -> Trainer.start(c, dir, null, null, false, quiet()));
        assertTrue(e.getMessage().contains("already holds this run"), e.getMessage());
        RunConfig other = TestConfigs.with(c, b -> b.seed = 5);
        e = assertThrows(UserError.class, () -> Trainer.start(other, dir, null, null, false, quiet()));
        assertTrue(e.getMessage().contains("different run"), e.getMessage());
        Trainer.start(other, dir, null, null, true, quiet());
        assertFalse(dir.checkpointFiles().isEmpty());
    }
}
