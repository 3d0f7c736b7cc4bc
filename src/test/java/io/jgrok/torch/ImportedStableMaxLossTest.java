package io.jgrok.torch;

import io.jgrok.TestConfigs;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.jgrok.Tolerances.LOSS_REL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Import recomputes the final model's losses to set beside the file's last recorded ones; for a run trained with
 * StableMax (a jgrok export carries its config) those are StableMax losses, so the recomputed ones must be too, not
 * the softmax cross-entropy of the same logits. Checked against the CPU engine's training loss of the same weights.
 */
class ImportedStableMaxLossTest {
    @Test
    void recomputedLossesUseTheRunsLossFunction() {
        for (LossFunction loss : LossFunction.values()) {
            RunConfig config = TestConfigs.with(TestConfigs.small(7, 8, 2, 16), b -> {
                b.loss = loss;
                b.threads = 1;
            });
            ParamLayout layout = new ParamLayout(config);
            Split split = Split.of(config);
            float[] params = RandomWeights.floats(layout, new Random(21), 0.8);
            try (CpuEngine engine = new CpuEngine(config, split)) {
                Importer.Evaluation ev = Importer.evaluate(engine, params, split, config);
                double train = engine.lossAndGradient(params, split.train(), new float[layout.size()]);
                double test = engine.lossAndGradient(params, split.test(), new float[layout.size()]);
                assertEquals(train, ev.trainLoss(), LOSS_REL * train, loss + ": recomputed train loss");
                assertEquals(test, ev.testLoss(), LOSS_REL * test, loss + ": recomputed test loss");
            }
        }
        // The two losses differ on these weights, so the check above tells them apart.
        RunConfig softmax = TestConfigs.small(7, 8, 2, 16);
        RunConfig stable = TestConfigs.with(softmax, b -> b.loss = LossFunction.STABLEMAX);
        Split split = Split.of(softmax);
        float[] params = RandomWeights.floats(new ParamLayout(softmax), new Random(21), 0.8);
        try (CpuEngine a = new CpuEngine(softmax, split); CpuEngine b = new CpuEngine(stable, split)) {
            double la = Importer.evaluate(a, params, split, softmax).trainLoss();
            double lb = Importer.evaluate(b, params, split, stable).trainLoss();
            assertTrue(Math.abs(la - lb) > 100 * LOSS_REL * la, "softmax " + la + " vs StableMax " + lb);
        }
    }
}
