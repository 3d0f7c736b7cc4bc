package io.jgrok.sweep;

import io.jgrok.cli.TrainFlags;
import io.jgrok.config.GradProjection;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two stability specs of sweeps/ are the runs docs/stability.md measured: weight decay {0, 1} x loss x
 * projection x 3 seeds, test accuracy every 10 epochs (the docs' grokking epochs are multiples of 10 because of it,
 * and a spec evaluating every epoch would find other ones), one thread per run, and no analysis of each run.
 */
class StabilitySpecsTest {
    private static final TrainFlags FLAGS = new TrainFlags();

    @Test
    void theSpecsTrainTheMeasuredRuns() {
        for (String name : new String[] {"stability-small.json", "stability-paper.json"}) {
            SweepSpec spec = SweepSpec.read(Path.of("sweeps", name), FLAGS);
            List<SweepRun> runs = spec.expand(FLAGS);
            assertEquals(24, runs.size(), name);
            assertEquals(SweepSpec.Analysis.NONE, spec.analysis(), name + ": no analysis per run");
            int orthogonalStableMaxNoDecay = 0;
            for (SweepRun r : runs) {
                RunConfig c = r.config();
                assertEquals(10, c.evalEvery(), name + " " + r.name() + ": test accuracy every 10 epochs");
                assertEquals(1, c.threads(), name + " " + r.name() + ": one thread per run");
                assertTrue(c.weightDecay() == 0 || c.weightDecay() == 1, name + " " + r.name());
                if (c.weightDecay() == 0 && c.loss() == LossFunction.STABLEMAX
                        && c.gradProjection() == GradProjection.ORTHOGONAL) {
                    orthogonalStableMaxNoDecay++;
                }
            }
            assertEquals(3, orthogonalStableMaxNoDecay, name + ": each condition has three seeds");
        }
        RunConfig paperRun = SweepSpec.read(Path.of("sweeps", "stability-paper.json"), FLAGS).expand(FLAGS).stream()
                .filter(r -> r.name().equals("wd0-softmax-proj-orthogonal-seed0")).findFirst().orElseThrow().config();
        assertEquals(113, paperRun.p(), "the paper's config");
        assertEquals(40000, paperRun.nEpochs());
    }
}
