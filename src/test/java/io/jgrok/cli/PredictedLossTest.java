package io.jgrok.cli;

import io.jgrok.InProcessCli;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.RunDirectory;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jgrok.Tolerances.LOSS_REL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code predict --all} prints a checkpoint's mean loss over all pairs; it is the run's own loss (StableMax for a run
 * trained with it, as its history), checked against the CPU engine's loss of the same weights and examples.
 */
class PredictedLossTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(LossFunction.class)
    void meanLossIsTheRunsLoss(LossFunction loss) {
        Path run = tmp.resolve(loss.name());
        InProcessCli.Result t = InProcessCli.run("train", "--p", "7", "--d_model", "8", "--n_heads", "2", "--d_mlp",
                "16", "--lr", "0.05", "--n_epochs", "3", "--checkpoint_every", "1", "--device", "cpu", "--threads",
                "1", "--loss", loss.name().toLowerCase(java.util.Locale.ROOT), "--quiet", "--out", run.toString());
        assertEquals(0, t.code(), t.err());
        Path checkpoint = new RunDirectory(run).checkpoint(2);
        InProcessCli.Result r = InProcessCli.run("predict", "--checkpoint", checkpoint.toString(), "--all");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("mean loss ([0-9.eE+-]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double printed = Double.parseDouble(m.group(1));
        Checkpoints.Checkpoint ck = Checkpoints.read(checkpoint);
        RunConfig config = ck.config();
        assertEquals(loss, config.loss());
        int[] all = new int[config.p() * config.p()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        try (CpuEngine engine = new CpuEngine(config, Split.of(config))) {
            double expected = engine.lossAndGradient(ck.state().params(), all,
                    new float[new ParamLayout(config).size()]);
            assertEquals(expected, printed, LOSS_REL * expected, loss + ": mean loss over all pairs");
        }
    }
}
