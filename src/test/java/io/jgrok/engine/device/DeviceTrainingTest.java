package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.LossFunction;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.engine.Engine;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.History;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;

import static io.jgrok.Tolerances.TRAINING_UPDATE_L2_REL;
import static io.jgrok.Tolerances.relativeL2Error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten full training epochs on the device engine against the CPU engine from the same initial weights: every history
 * row (train and test loss and accuracy) and the final weights. Covers the paper's config (10-step warmup whose
 * first step runs at lr 0, test loss before the step), the TransformerLens demo's variant (frozen MLP biases, 113
 * logits, no warmup, test loss after the step), Grokfast EMA and MA, evaluation every few epochs, StableMax and ⊥Grad
 * (alone and with either Grokfast filter); the softmax-collapse columns must agree too.
 */
abstract class DeviceTrainingTest {
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

    static RunConfig small(java.util.function.Consumer<RunConfig.Builder> change) {
        RunConfig base = TestConfigs.with(TestConfigs.small(23, 32, 4, 48), b -> {
            b.lr = 1e-2;
            b.warmupSteps = 3;
            b.trainFraction = 0.4;
            b.seed = 5;
        });
        return TestConfigs.with(base, change);
    }

    static Stream<Arguments> configs() {
        RunConfig tlDemo = TestConfigs.with(Preset.TL_DEMO.defaults(), b -> {
            b.p = 23;
            b.dModel = 32;
            b.dMlp = 48;
            b.device = "cpu";
            b.lr = 1e-2;
            b.seed = 3;
        });
        return Stream.of(
                Arguments.of("paper config", TestConfigs.paper(10)),
                Arguments.of("small, warmup 3", small(b -> { })),
                Arguments.of("tl-demo variant (frozen biases, after-step test)", tlDemo),
                Arguments.of("small, Grokfast EMA", small(b -> b.grokfast = GrokfastMode.EMA)),
                Arguments.of("small, Grokfast MA window 3", small(b -> {
                    b.grokfast = GrokfastMode.MA;
                    b.grokfastWindow = 3;
                })),
                Arguments.of("small, test every 3rd epoch", small(b -> b.evalEvery = 3)),
                Arguments.of("small, StableMax", small(b -> b.loss = LossFunction.STABLEMAX)),
                Arguments.of("small, ⊥Grad", small(b -> b.gradProjection = GradProjection.ORTHOGONAL)),
                Arguments.of("small, ⊥Grad + Grokfast MA window 3", small(b -> {
                    b.gradProjection = GradProjection.ORTHOGONAL;
                    b.grokfast = GrokfastMode.MA;
                    b.grokfastWindow = 3;
                })),
                Arguments.of("tl-demo variant, StableMax + ⊥Grad + Grokfast EMA", TestConfigs.with(tlDemo, b -> {
                    b.loss = LossFunction.STABLEMAX;
                    b.gradProjection = GradProjection.ORTHOGONAL;
                    b.grokfast = GrokfastMode.EMA;
                })));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void tenEpochsMatchTheCpuEngine(String name, RunConfig config) {
        Split split = Split.of(config);
        TrainingState start = TrainingState.fresh(Initializer.initialParameters(config));
        History cpuHistory = new History();
        History devHistory = new History();
        TrainingState cpuEnd;
        TrainingState devEnd;
        try (Engine cpu = new CpuEngine(config, split)) {
            cpu.setState(start);
            cpu.runEpochs(0, 4, cpuHistory);
            cpu.runEpochs(4, 6, cpuHistory);
            cpuEnd = cpu.state();
        }
        try (DeviceEngine dev = new DeviceEngine(config, split, device, false, null)) {
            dev.setState(start);
            dev.runEpochs(0, 4, devHistory);  // the first epoch eager, then graph replays
            dev.runEpochs(4, 6, devHistory);
            devEnd = dev.state();
        }
        assertEquals(10, devHistory.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(i, devHistory.epoch(i));
            assertRow(name, "train", i, cpuHistory.trainLoss(i), devHistory.trainLoss(i), cpuHistory.trainAcc(i),
                    devHistory.trainAcc(i), split.trainSize());
            assertEquals(cpuHistory.collapsedF32(i), devHistory.collapsedF32(i), 2.5 / split.trainSize(),
                    "float32 softmax collapse at epoch " + i);
            assertEquals(cpuHistory.collapsedF64(i), devHistory.collapsedF64(i), 2.5 / split.trainSize(),
                    "float64 softmax collapse at epoch " + i);
            boolean tested = config.evaluatesTestAt(i);
            assertEquals(tested, !Double.isNaN(devHistory.testLoss(i)), "test evaluated at epoch " + i);
            if (tested) {
                assertRow(name, "test", i, cpuHistory.testLoss(i), devHistory.testLoss(i), cpuHistory.testAcc(i),
                        devHistory.testAcc(i), split.testSize());
            }
        }
        assertEquals(cpuEnd.step(), devEnd.step());
        ParamLayout layout = new ParamLayout(config);
        for (ParamLayout.Tensor t : layout.tensors()) {
            float[] cpuUpdate = update(start.params(), cpuEnd.params(), t);
            float[] devUpdate = update(start.params(), devEnd.params(), t);
            double err = relativeL2Error(devUpdate, cpuUpdate);
            assertTrue(err < TRAINING_UPDATE_L2_REL || (norm(cpuUpdate) == 0 && norm(devUpdate) == 0),
                    t.name() + ": update after 10 epochs differs by " + err + " (L2, relative)");
        }
        assertEquals(cpuEnd.grokfast().length, devEnd.grokfast().length, "Grokfast state entries");
        if (!config.trainMlpBiases()) {
            ParamLayout.Tensor bIn = layout.tensor(ParamLayout.B_IN);
            for (int i = bIn.offset(); i < bIn.end(); i++) {
                assertEquals(0f, devEnd.params()[i], "frozen b_in must stay 0");
            }
        }
    }

    private static void assertRow(String name, String set, int epoch, double cpuLoss, double devLoss, double cpuAcc,
                                  double devAcc, int size) {
        double lossErr = Math.abs(devLoss - cpuLoss) / Math.abs(cpuLoss);
        assertTrue(lossErr < io.jgrok.Tolerances.TRAINING_HISTORY_REL, String.format(Locale.ROOT,
                "%s: %s loss at epoch %d: device %.9g, cpu %.9g (relative %.2g)", name, set, epoch, devLoss, cpuLoss,
                lossErr));
        // Accuracy can differ only through examples whose top two logits tie within float32 noise.
        assertTrue(Math.abs(devAcc - cpuAcc) * size <= 2.5, String.format(Locale.ROOT,
                "%s: %s accuracy at epoch %d: device %.6f, cpu %.6f", name, set, epoch, devAcc, cpuAcc));
    }

    private static float[] update(float[] before, float[] after, ParamLayout.Tensor t) {
        float[] u = new float[t.size()];
        for (int i = 0; i < u.length; i++) {
            u[i] = after[t.offset() + i] - before[t.offset() + i];
        }
        return u;
    }

    private static double norm(float[] x) {
        return Math.sqrt(Arrays.stream(toDouble(x)).map(v -> v * v).sum());
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
