package io.jgrok.engine.cpu;

import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.LOSS_REL;
import static io.jgrok.Tolerances.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimised CPU engine (per-token tables, blocked rows, BLAS, worker threads) against the plain float64
 * {@link ReferenceModel}: logits, loss and every gradient tensor, on fresh random weights and examples, over
 * several shapes including the paper's, with one and two threads and batch sizes that are not multiples of the
 * engine's block.
 */
class CpuEngineVsReferenceTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("p7 d8 h2 m16", TestConfigs.small(7, 8, 2, 16), 40, 1, false),
                Arguments.of("p7 d8 h2 m16, scalar loops", TestConfigs.small(7, 8, 2, 16), 40, 1, false),
                Arguments.of("p113 paper shape, scalar loops", TestConfigs.paper(1), 200, 2, false),
                Arguments.of("p7 d8 h2 m16, 2 threads", TestConfigs.small(7, 8, 2, 16), 49, 2, false),
                Arguments.of("p13 d16 h4 m24 no '=' logit", TestConfigs.with(TestConfigs.small(13, 16, 4, 24),
                        b -> b.equalsLogit = false), 169, 2, false),
                Arguments.of("p5 d4 h1 m8", TestConfigs.small(5, 4, 1, 8), 25, 1, false),
                Arguments.of("p31 d24 h3 m40", TestConfigs.small(31, 24, 3, 40), 300, 2, false),
                Arguments.of("paper config, paper init", TestConfigs.paper(1), 300, 2, true),
                Arguments.of("paper config, random weights", TestConfigs.paper(1), 257, 2, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsLossAndGradientsMatchReference(String name, RunConfig base, int nExamples, int threads,
                                              boolean paperInit) {
        RunConfig config = TestConfigs.with(base, b -> b.threads = threads);
        ParamLayout layout = new ParamLayout(config);
        Random rnd = new Random(name.hashCode());
        float[] params = paperInit ? Initializer.initialParameters(TestConfigs.with(config, b -> b.seed = 17))
                : RandomWeights.floats(layout, rnd, 0.6);
        int[] examples = RandomWeights.examples(config.p(), nExamples, rnd);
        ReferenceModel ref = new ReferenceModel(layout);
        double[] wide = RandomWeights.widen(params);

        Ops ops = name.contains("scalar") ? new ScalarOps() : Ops.best();
        try (CpuEngine engine = new CpuEngine(config, Split.of(config), ops)) {
            float[] logits = engine.logits(params, examples);
            double[] refLogits = ref.logits(wide, examples);
            double logitErr = relativeError(logits, refLogits, FLOAT32_ABS_FLOOR);
            assertTrue(logitErr < FLOAT32_REL, "logits relative error " + logitErr);

            float[] grad = new float[layout.size()];
            java.util.Arrays.fill(grad, Float.NaN);
            double loss = engine.lossAndGradient(params, examples, grad);
            double[] refGrad = new double[layout.size()];
            double refLoss = ref.loss(wide, examples, refGrad);
            assertEquals(refLoss, loss, LOSS_REL * refLoss, "loss");
            for (ParamLayout.Tensor t : layout.tensors()) {
                float[] g = java.util.Arrays.copyOfRange(grad, t.offset(), t.end());
                double[] r = java.util.Arrays.copyOfRange(refGrad, t.offset(), t.end());
                double err = relativeError(g, r, FLOAT32_ABS_FLOOR);
                assertTrue(err < FLOAT32_REL, t.name() + " gradient relative error " + err);
            }
            for (float x : grad) {
                assertTrue(Float.isFinite(x), "every gradient element, gaps included, must be written");
            }
        }
    }
}
