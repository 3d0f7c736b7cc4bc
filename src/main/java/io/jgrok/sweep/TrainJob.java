package io.jgrok.sweep;

import io.jgrok.config.RunConfig;
import io.jgrok.io.RunDirectory;

import java.nio.file.Path;

/**
 * One run for a {@link BatchTrainer}: train {@code run}'s config into {@code dir} to its n_epochs, starting it, or
 * resuming it when the directory already holds it. The run's console output goes to {@code log} (appended).
 */
public record TrainJob(SweepRun run, RunDirectory dir, Path log) {

    public RunConfig config() {
        return run.config();
    }

    public String name() {
        return run.name();
    }
}
