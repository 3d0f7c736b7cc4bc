package io.jgrok.io;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of one run:
 * <pre>
 *   DIR/config.json                                   resolved config
 *   DIR/split.json                                    train/test indices
 *   DIR/initial_weights.safetensors                   only when started with --init
 *   DIR/logs/training_history.json                    one row per epoch
 *   DIR/logs/run_info.json                            engine, speed, status
 *   DIR/checkpoints/checkpoint_epoch_E.safetensors    weights + optimiser state after epoch E's step
 *   DIR/analysis/, DIR/figures/, DIR/report.html      written by analyze and figures
 *   DIR/.jgrok.lock                                   its trainer's {@link WriterLock} (empty when none runs)
 * </pre>
 */
public record RunDirectory(Path root) {

    public Path config() {
        return root.resolve("config.json");
    }

    public Path split() {
        return root.resolve("split.json");
    }

    public Path initialWeights() {
        return root.resolve("initial_weights.safetensors");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path history() {
        return logs().resolve("training_history.json");
    }

    public Path runInfo() {
        return logs().resolve("run_info.json");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path checkpoint(long epoch) {
        return checkpoints().resolve(Checkpoints.fileName(epoch));
    }

    public Path analysis() {
        return root.resolve("analysis");
    }

    public Path figures() {
        return root.resolve("figures");
    }

    public Path report() {
        return root.resolve("report.html");
    }

    /** The lock file that makes one process at a time the run's writer ({@link WriterLock}). */
    public Path lockFile() {
        return root.resolve(".jgrok.lock");
    }

    /** The run's saved config; a missing, unreadable or invalid file is a one-line {@link UserError} naming it. */
    public RunConfig readConfig() {
        String text;
        try {
            text = Files.readString(config(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError("config " + config() + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read " + config() + ": " + e.getMessage());
        }
        return RunConfig.fromJson(text, config().toString());
    }

    /** Whether the directory already holds (part of) a run. */
    public boolean holdsRun() {
        return Files.exists(config()) || Files.isDirectory(checkpoints()) || Files.exists(history());
    }

    /** Checkpoint files sorted by epoch, oldest first (temporaries and foreign files ignored). */
    public List<Path> checkpointFiles() {
        if (!Files.isDirectory(checkpoints())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(checkpoints())) {
            List<Path> files = new ArrayList<>();
            s.filter(f -> Checkpoints.epochOf(f) >= 0).forEach(files::add);
            files.sort(Comparator.comparingLong(Checkpoints::epochOf));
            return files;
        } catch (IOException e) {
            throw new UserError("cannot list " + checkpoints() + ": " + e.getMessage());
        }
    }

    /** Deletes temporaries left in the run's directories by writes that a kill cut short; returns the count. */
    public int removeStaleTemporaries() {
        int removed = 0;
        for (Path d : List.of(root(), checkpoints(), logs(), analysis(), figures())) {
            try {
                removed += AtomicFiles.removeStaleTemporaries(d);
            } catch (IOException e) {
                throw new UserError("cannot clean up temporary files in " + d + ": " + e.getMessage());
            }
        }
        return removed;
    }

    /** Removes the outputs of an earlier run (for --force); leaves unrelated files alone. */
    public void clearRun() throws IOException {
        for (Path p : List.of(checkpoints(), logs(), analysis(), figures())) {
            deleteTree(p);
        }
        for (Path p : List.of(config(), split(), initialWeights(), report())) {
            Files.deleteIfExists(p);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>();
            s.forEach(all::add);
            all.sort(Comparator.reverseOrder());
            for (Path f : all) {
                Files.delete(f);
            }
        }
    }
}
