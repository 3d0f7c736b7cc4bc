package io.jgrok.analysis;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.io.SplitFiles;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;

import java.io.IOException;
import java.nio.file.Path;

/** Run directories for tests, written without training: checkpoints on a path from random init to a target model. */
final class RunDirs {
    private RunDirs() {
    }

    /**
     * Writes config.json, split.json and checkpoints at epochs 0, every, 2*every, ..., (n-1)*every whose weights
     * move linearly from the config's random init to {@code target}.
     */
    static RunDirectory interpolated(Path root, RunConfig config, float[] target, int n, int every)
            throws IOException {
        RunDirectory dir = new RunDirectory(root);
        AtomicFiles.writeString(dir.config(), config.toJson());
        SplitFiles.write(dir.split(), Split.of(config));
        float[] init = Initializer.initialParameters(config);
        for (int i = 0; i < n; i++) {
            double t = n == 1 ? 1 : (double) i / (n - 1);
            float[] w = new float[init.length];
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) ((1 - t) * init[j] + t * target[j]);
            }
            Checkpoints.write(dir.checkpoint((long) i * every), config, (long) i * every, TrainingState.fresh(w));
        }
        return dir;
    }
}
