package io.jgrok;

import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;

/** Configs used across the tests and the device checks that {@code jgrok gpu-check} runs from the jar. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** The paper's config with CPU device and a given epoch count. */
    public static RunConfig paper(int nEpochs) {
        RunConfig.Builder b = Preset.PAPER.defaults().toBuilder();
        b.device = "cpu";
        b.nEpochs = nEpochs;
        return b.build();
    }

    /** A small model of the paper's kind (114-style logits = p + 1, trained biases). */
    public static RunConfig small(int p, int dModel, int nHeads, int dMlp) {
        RunConfig.Builder b = Preset.PAPER.defaults().toBuilder();
        b.p = p;
        b.dModel = dModel;
        b.nHeads = nHeads;
        b.dMlp = dMlp;
        b.device = "cpu";
        b.nEpochs = 10;
        b.checkpointEvery = 5;
        return b.build();
    }

    public static RunConfig with(RunConfig c, java.util.function.Consumer<RunConfig.Builder> change) {
        RunConfig.Builder b = c.toBuilder();
        change.accept(b);
        return b.build();
    }
}
