package io.jgrok.reliability;

import io.jgrok.TestConfigs;
import io.jgrok.cli.Main;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.Engine;
import io.jgrok.engine.Engines;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;
import io.jgrok.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer writes checkpoints (and the history before each) on a background thread while the engine trains the
 * next chunk, here on the emulated device: the files are byte for byte those the synchronous writes produced (a
 * reference written here the old way, step by step), and a process killed (SIGKILL) while a background write is in
 * progress keeps every checkpoint written before, whole, and resumes to the same run as one never interrupted.
 */
class BackgroundCheckpointTest {
    private static final String[] SMALL = {"--p", "23", "--d_model", "32", "--n_heads", "4", "--d_mlp", "48",
        "--lr", "0.003", "--device", "emulated", "--quiet"};

    @TempDir
    Path tmp;

    private static RunConfig config(int epochs, int every) {
        return TestConfigs.with(TestConfigs.small(23, 32, 4, 48), b -> {
            b.device = "emulated";
            b.nEpochs = epochs;
            b.checkpointEvery = every;
            b.lr = 3e-3;
            b.evalEvery = 3;
        });
    }

    @Test
    void theFilesAreThoseTheSynchronousWritesWrote() throws Exception {
        RunConfig config = config(95, 10);
        // The reference, written as the trainer wrote it before: after each chunk that ends at a checkpoint, the
        // history, then the checkpoint, on the training thread, before the next chunk starts.
        Path ref = Files.createDirectories(tmp.resolve("sync"));
        Split split = Split.of(config);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Engine engine = Engines.open(config, split, sink)) {
            engine.setState(TrainingState.fresh(Initializer.initialParameters(config)));
            History history = new History();
            long epoch = 0;
            while (epoch < config.nEpochs()) {
                long next = epoch;
                while (!config.checkpointsAt(next)) {
                    next++;
                }
                int chunk = (int) Math.min(next - epoch + 1, engine.preferredChunk());
                epoch += engine.runEpochs(epoch, chunk, history);
                if (config.checkpointsAt(epoch - 1)) {
                    history.write(ref.resolve("training_history.json"));
                    Checkpoints.write(ref.resolve(Checkpoints.fileName(epoch - 1)), config, epoch - 1,
                            engine.state());
                }
            }
        }
        RunDirectory run = new RunDirectory(tmp.resolve("async"));
        Trainer.Outcome outcome = Trainer.start(config, run, null, null, false, new Trainer.Options(false, sink,
                sink));
        assertEquals(Trainer.Status.DONE, outcome.status());

        List<Path> written = run.checkpointFiles();
        try (Stream<Path> files = Files.list(ref)) {
            assertEquals(files.filter(f -> f.getFileName().toString().startsWith("checkpoint_")).count(),
                    written.size(), "checkpoints written: " + written);
        }
        assertTrue(written.size() >= 10, written.toString());
        for (Path f : written) {
            assertArrayEquals(Files.readAllBytes(ref.resolve(f.getFileName())), Files.readAllBytes(f),
                    "bytes of " + f.getFileName());
        }
        assertArrayEquals(Files.readAllBytes(ref.resolve("training_history.json")),
                Files.readAllBytes(run.history()), "bytes of the history");
    }

    @Test
    void aKillDuringABackgroundWriteKeepsEveryCheckpointAndResumesBitIdentical() throws Exception {
        String[] length = {"--n_epochs", "300", "--checkpoint_every", "10"};
        Path reference = tmp.resolve("reference");
        assertEquals(0, Main.run(args(reference, length)));

        Path killed = tmp.resolve("killed");
        RunDirectory dir = new RunDirectory(killed);
        int midWrite = 0;
        for (int round = 0; round < 3; round++) {
            String[] cmd = round == 0 ? args(killed, length) : new String[] {"train", "--resume", killed.toString(),
                "--quiet"};
            Process p = ChildJvm.jgrok(tmp, "round" + round, cmd);
            if (killDuringAWrite(p, dir)) {
                midWrite++;
            }
            // Whatever was being written, every checkpoint file there is whole and readable, and the history
            // reaches at least the newest one (it is written first).
            List<Path> kept = dir.checkpointFiles();
            for (Path f : kept) {
                Checkpoints.read(f);
            }
            if (!kept.isEmpty() && Files.exists(dir.history())) {
                long newest = Checkpoints.epochOf(kept.get(kept.size() - 1));
                assertTrue(History.read(dir.history()).size() >= newest + 1, "history shorter than checkpoint "
                        + newest);
            }
        }
        assertTrue(midWrite > 0, "no kill landed while a checkpoint or history file was being written");
        assertEquals(0, Main.run(new String[] {"train", "--resume", killed.toString(), "--quiet"}));
        KillAndResumeTest.assertSameRun(new RunDirectory(reference), dir);
        try (Stream<Path> left = Stream.concat(Files.list(dir.checkpoints()), Files.list(dir.logs()))) {
            assertEquals(List.of(), left.filter(f -> f.getFileName().toString().contains(".tmp-")).toList(),
                    "the resume removed the temporaries the kills left");
        }
    }

    private static String[] args(Path out, String... extra) {
        String[] a = new String[1 + SMALL.length + 2 + extra.length];
        a[0] = "train";
        System.arraycopy(SMALL, 0, a, 1, SMALL.length);
        a[1 + SMALL.length] = "--out";
        a[2 + SMALL.length] = out.toString();
        System.arraycopy(extra, 0, a, 3 + SMALL.length, extra.length);
        return a;
    }

    /**
     * Waits until a temporary file of a checkpoint or of the history appears (a write in progress), then kills the
     * process at once; returns whether the kill left that write unfinished (its temporary is still there).
     */
    private static boolean killDuringAWrite(Process p, RunDirectory dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        Path seen = null;
        while (seen == null && p.isAlive() && System.nanoTime() < deadline) {
            seen = temporary(dir);
        }
        p.destroyForcibly();  // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return seen != null && Files.exists(seen);
    }

    private static Path temporary(RunDirectory dir) throws IOException {
        for (Path d : new Path[] {dir.checkpoints(), dir.logs()}) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.list(d)) {
                Path t = files.filter(f -> f.getFileName().toString().contains(".tmp-")).findFirst().orElse(null);
                if (t != null) {
                    return t;
                }
            } catch (java.nio.file.NoSuchFileException raced) {
                // the temporary was renamed while listing
            }
        }
        return null;
    }
}
