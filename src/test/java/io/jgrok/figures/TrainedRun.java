package io.jgrok.figures;

import io.jgrok.TestConfigs;
import io.jgrok.analysis.Analyzer;
import io.jgrok.config.RunConfig;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A small real run for the figure tests: a tiny model of the paper's kind trained for a few dozen epochs with the
 * CPU engine and analysed, so every input the figures read is the genuine article (about a second in all).
 */
final class TrainedRun {
    static final RunConfig CONFIG = TestConfigs.with(TestConfigs.small(23, 32, 4, 64), b -> {
        b.nEpochs = 60;
        b.checkpointEvery = 10;
    });

    private TrainedRun() {
    }

    static RunDirectory create(Path root) {
        RunDirectory dir = new RunDirectory(root);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Trainer.start(CONFIG, dir, null, null, false, new Trainer.Options(false, sink, sink));
        Analyzer.run(dir, new Analyzer.Options(null, "cpu", 2, false, sink, sink));
        return dir;
    }
}
