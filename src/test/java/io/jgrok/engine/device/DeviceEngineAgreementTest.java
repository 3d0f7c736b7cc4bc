package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.engine.cpu.ReferenceModel;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.LOSS_REL;
import static io.jgrok.Tolerances.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device engine's logits, loss and every gradient tensor against the plain float64 {@link ReferenceModel} and
 * against the CPU engine, on fresh random weights and example sets, for small shapes (one head, odd sizes, no '='
 * logit, batches that are not multiples of any block) and the paper's config, with the softmax and the StableMax
 * cross-entropy. Gradient buffers are poisoned (NaN)
 * before each pass, and the device's own buffers are NaN-poisoned at allocation, so an unwritten element fails.
 * Runs on the emulated device ({@link EmulatedDeviceEngineAgreementTest}) and on a GPU when there is one.
 */
abstract class DeviceEngineAgreementTest {
    protected Device device;

    protected abstract Device openDevice();

    @BeforeEach
    void open() {
        device = openDevice();
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("p7 d8 h2 m16", TestConfigs.small(7, 8, 2, 16), 40, false),
                Arguments.of("p5 d4 h1 m8", TestConfigs.small(5, 4, 1, 8), 25, false),
                Arguments.of("p13 d16 h4 m24 no '=' logit", TestConfigs.with(TestConfigs.small(13, 16, 4, 24),
                        b -> b.equalsLogit = false), 169, false),
                Arguments.of("p31 d24 h3 m40", TestConfigs.small(31, 24, 3, 40), 300, false),
                Arguments.of("p23 d64 h8 m70", TestConfigs.small(23, 64, 8, 70), 301, false),
                Arguments.of("paper config, paper init", TestConfigs.paper(1), 300, true),
                Arguments.of("paper config, random weights", TestConfigs.paper(1), 1000, false),
                Arguments.of("p7 d8 h2 m16, StableMax", stableMax(TestConfigs.small(7, 8, 2, 16)), 40, false),
                Arguments.of("p13 d16 h4 m24 no '=' logit, StableMax", stableMax(TestConfigs.with(
                        TestConfigs.small(13, 16, 4, 24), b -> b.equalsLogit = false)), 169, false),
                Arguments.of("paper config, StableMax, random weights", stableMax(TestConfigs.paper(1)), 500, false));
    }

    private static RunConfig stableMax(RunConfig c) {
        return TestConfigs.with(c, b -> b.loss = LossFunction.STABLEMAX);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsLossAndGradientsMatchReferenceAndCpu(String name, RunConfig config, int nExamples,
                                                    boolean paperInit) {
        ParamLayout layout = new ParamLayout(config);
        Random rnd = new Random(name.hashCode() * 31L + 7);
        float[] params = paperInit ? Initializer.initialParameters(TestConfigs.with(config, b -> b.seed = 23))
                : RandomWeights.floats(layout, rnd, 0.6);
        int[] examples = RandomWeights.examples(config.p(), nExamples, rnd);
        double[] wide = RandomWeights.widen(params);
        ReferenceModel ref = new ReferenceModel(layout, config.loss());

        try (DeviceEngine engine = new DeviceEngine(config, Split.of(config), device, false, null);
             CpuEngine cpu = new CpuEngine(config, Split.of(config))) {
            float[] logits = engine.logits(params, examples);
            double logitErr = relativeError(logits, ref.logits(wide, examples), FLOAT32_ABS_FLOOR);
            assertTrue(logitErr < FLOAT32_REL, "logits vs float64 reference: relative error " + logitErr);
            double cpuLogitErr = relativeError(logits, cpu.logits(params, examples), FLOAT32_ABS_FLOOR);
            assertTrue(cpuLogitErr < FLOAT32_REL, "logits vs CPU engine: relative error " + cpuLogitErr);

            float[] grad = new float[layout.size()];
            Arrays.fill(grad, Float.NaN);
            double loss = engine.lossAndGradient(params, examples, grad);
            double[] refGrad = new double[layout.size()];
            double refLoss = ref.loss(wide, examples, refGrad);
            float[] cpuGrad = new float[layout.size()];
            double cpuLoss = cpu.lossAndGradient(params, examples, cpuGrad);
            assertEquals(refLoss, loss, LOSS_REL * refLoss, "loss vs float64 reference");
            assertEquals(cpuLoss, loss, LOSS_REL * cpuLoss, "loss vs CPU engine");
            for (ParamLayout.Tensor t : layout.tensors()) {
                float[] g = Arrays.copyOfRange(grad, t.offset(), t.end());
                double err = relativeError(g, Arrays.copyOfRange(refGrad, t.offset(), t.end()), FLOAT32_ABS_FLOOR);
                assertTrue(err < FLOAT32_REL, t.name() + " gradient vs float64 reference: relative error " + err);
                double cpuErr = relativeError(g, Arrays.copyOfRange(cpuGrad, t.offset(), t.end()),
                        FLOAT32_ABS_FLOOR);
                assertTrue(cpuErr < FLOAT32_REL, t.name() + " gradient vs CPU engine: relative error " + cpuErr);
            }
            for (int i = 0; i < grad.length; i++) {
                assertTrue(Float.isFinite(grad[i]), "gradient element " + i + " (gaps included) was not written");
            }
        }
    }
}
