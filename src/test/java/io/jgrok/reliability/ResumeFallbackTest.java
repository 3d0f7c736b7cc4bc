package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --resume past a damaged newest checkpoint: it is skipped with a message, training continues from the newest intact
 * one, and the run still ends bit-identical to one never damaged.
 */
class ResumeFallbackTest {
    @TempDir
    Path tmp;

    @Test
    void damagedNewestCheckpointIsSkippedAndTheRunEndsTheSame() throws Exception {
        String[] config = {"--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp", "8", "--checkpoint_every", "3",
            "--quiet", "--device", "cpu", "--threads", "1"};
        Path whole = tmp.resolve("whole");
        Path damaged = tmp.resolve("damaged");
        for (Path dir : List.of(whole, damaged)) {
            List<String> args = new java.util.ArrayList<>(List.of("train", "--out", dir.toString(), "--n_epochs",
                    "20"));
            args.addAll(List.of(config));
            assertEquals(0, InProcessCli.run(args.toArray(String[]::new)).code());
        }
        // Cut the damaged run back to epoch 10, as if it had been killed after writing checkpoint 10 ...
        RunDirectory d = new RunDirectory(damaged);
        for (Path f : d.checkpointFiles()) {
            if (io.jgrok.io.Checkpoints.epochOf(f) > 9) {
                Files.delete(f);
            }
        }
        // ... with checkpoint 9 (its newest) corrupted on disk.
        Path newest = d.checkpoint(9);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 11] ^= 0x40;
        Files.write(newest, bytes);

        InProcessCli.Result resumed = InProcessCli.run("train", "--resume", damaged.toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.err());
        String text = resumed.err();
        assertTrue(text.contains("jgrok: skipping damaged checkpoint: ") && text.contains("checkpoint_epoch_9"), text);

        RunDirectory w = new RunDirectory(whole);
        assertEquals(w.checkpointFiles().stream().map(p -> p.getFileName().toString()).toList(),
                d.checkpointFiles().stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : w.checkpointFiles()) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(damaged.resolve("checkpoints")
                    .resolve(f.getFileName())), "checkpoint " + f.getFileName() + " bit-identical after the fallback");
        }
        assertEquals(Files.readString(w.history()), Files.readString(d.history()), "history identical");
    }
}
