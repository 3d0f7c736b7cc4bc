package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run whose loss becomes NaN/Inf stops with a message naming the epoch and keeps its last good checkpoint. */
class DivergenceTest {
    @TempDir
    Path tmp;

    @Test
    void absurdLearningRateStopsCleanlyAtTheFirstBadEpoch() {
        Path run = tmp.resolve("run");
        // Warmup makes step 1 a no-op; step 2 moves weights by ~1e29, so epoch 2's logits overflow.
        InProcessCli.Result r = InProcessCli.run("train", "--out", run.toString(), "--p", "7", "--d_model", "8",
                "--n_heads", "2", "--d_mlp", "8", "--n_epochs", "50", "--checkpoint_every", "1", "--lr", "1e30",
                "--quiet", "--device", "cpu");
        String text = r.err();
        assertEquals(3, r.code(), text);
        RunDirectory dir = new RunDirectory(run);
        History h = History.read(dir.history());
        long bad = h.epoch(h.size() - 1);
        assertTrue(text.contains("training diverged at epoch " + bad), text);
        assertFalse(Double.isFinite(h.trainLoss(h.size() - 1)));
        assertTrue(Double.isFinite(h.trainLoss(h.size() - 2)));
        // History row E is the loss of checkpoint E - 1's weights, so the checkpoints kept are those before E - 1;
        // E - 1's is set aside under another name; all kept ones load with finite weights.
        assertFalse(dir.checkpointFiles().isEmpty());
        assertTrue(java.nio.file.Files.exists(dir.checkpoints().resolve("diverged_checkpoint_epoch_" + (bad - 1)
                + ".safetensors")), "the checkpoint whose loss is not finite is set aside");
        long last = io.jgrok.io.Checkpoints.epochOf(dir.checkpointFiles().get(dir.checkpointFiles().size() - 1));
        assertEquals(bad - 2, last, "the last checkpoint kept is the newest whose loss was finite");
        assertTrue(text.contains("the last good checkpoint is " + dir.checkpoint(last)), text);
        for (Path f : dir.checkpointFiles()) {
            long e = io.jgrok.io.Checkpoints.epochOf(f);
            assertTrue(e < bad - 1, "checkpoint " + e + " kept though row " + (e + 1) + " of the history is not "
                    + "finite");
            for (float x : io.jgrok.io.Checkpoints.read(f).state().params()) {
                assertTrue(Float.isFinite(x));
            }
        }
        assertTrue(text.lines().count() <= 2 && !text.contains("Exception"), text);
    }
}
