package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device backend on the emulated device (the DFT route, every buffer poisoned with NaN before kernels write
 * it): the shared contract against the float64 reference, plus float64-tight losses, determinism and batching.
 */
class DeviceAnalysisBackendTest extends AnalysisBackendContract {

    static DeviceAnalysisBackend openEmulated(RunConfig config, int batch) {
        Device device = EmulatedDevice.open(2);
        return new DeviceAnalysisBackend(device, config, new DftHalfSpectra(device, config.p()),
                new DeviceAnalysisBackend.Options(batch, true, true));
    }

    @Override
    AnalysisBackend open(RunConfig config) {
        return openEmulated(config, 3);
    }

    @Test
    void lossesAreFloat64EvenWhenTinyOrExtreme() {
        RunConfig config = TestConfigs.small(11, 16, 2, 16);
        Split split = Split.of(config);
        int nOut = config.nOutputs();
        Random rnd = new Random(31);
        // A confident model (losses ~1e-12..1e-9) and one with logit gaps of ~1000.
        float[] confident = new float[121 * nOut];
        for (int r = 0; r < 121; r++) {
            for (int c = 0; c < nOut; c++) {
                double v = 0.05 * rnd.nextGaussian();
                for (int k : new int[] {3, 4}) {
                    v += 40 * Math.cos(2 * Math.PI * k * (r / 11 + r % 11 - c) / 11);
                }
                confident[r * nOut + c] = (float) v;
            }
        }
        float[] extreme = plantedLogits(11, nOut, new int[] {2}, rnd);
        for (int i = 0; i < extreme.length; i++) {
            extreme[i] *= 250;
        }
        AblationPlan plan = new AblationPlan(new int[] {2, 3}, split.train(), split.test(), true);
        try (AnalysisBackend backend = open(config)) {
            LogitMeasures[] got = backend.logitMeasures(new float[][] {confident, extreme}, plan);
            LogitMeasures tiny = Float64Reference.logitMeasures(11, nOut, confident, plan);
            LogitMeasures huge = Float64Reference.logitMeasures(11, nOut, extreme, plan);
            assertTrue(tiny.lossAll() < 1e-9 && tiny.lossAll() > 0, "loss " + tiny.lossAll());
            assertTrue(huge.excludedLoss() > 100, "excluded " + huge.excludedLoss());
            assertMeasuresClose(tiny, got[0], Tolerances.FLOAT64_REL);
            assertMeasuresClose(huge, got[1], Tolerances.FLOAT64_REL);
        }
    }

    @Test
    void resultsAreReproducibleAndIndependentOfTheBatch() {
        RunConfig config = TestConfigs.small(13, 16, 2, 24);
        ParamLayout layout = new ParamLayout(config);
        Split split = Split.of(config);
        Random rnd = new Random(32);
        float[][] params = {randomParams(layout, rnd), randomParams(layout, rnd), randomParams(layout, rnd)};
        float[][] logits = new float[3][];
        for (int i = 0; i < 3; i++) {
            logits[i] = plantedLogits(13, config.nOutputs(), new int[] {1 + i, 4}, rnd);
        }
        AblationPlan plan = new AblationPlan(new int[] {2, 4}, split.train(), split.test(), true);
        try (AnalysisBackend backend = open(config)) {
            LogitMeasures[] all = backend.logitMeasures(logits, plan);
            LogitMeasures[] again = backend.logitMeasures(logits, plan);
            WeightMeasures[] w = backend.weightMeasures(params);
            for (int i = 0; i < 3; i++) {
                LogitMeasures alone = backend.logitMeasures(new float[][] {logits[i]}, plan)[0];
                for (LogitMeasures other : new LogitMeasures[] {again[i], alone}) {
                    assertEquals(all[i].lossAll(), other.lossAll());
                    assertEquals(all[i].restrictedLoss(), other.restrictedLoss());
                    assertEquals(all[i].excludedLoss(), other.excludedLoss());
                    assertArrayEquals(all[i].excludedLossPerFrequency(), other.excludedLossPerFrequency());
                    assertArrayEquals(all[i].restrictedLossPerFrequency(), other.restrictedLossPerFrequency());
                    assertArrayEquals(all[i].keyAmplitudes(), other.keyAmplitudes());
                }
                WeightMeasures single = backend.weightMeasures(new float[][] {params[i]})[0];
                assertArrayEquals(w[i].embedRowNorms(), single.embedRowNorms());
                assertArrayEquals(w[i].neuronLogitRowNorms(), single.neuronLogitRowNorms());
                assertEquals(w[i].sumOfSquares(), single.sumOfSquares());
            }
        }
    }

    @Test
    void rejectsInputsOfTheWrongSize() {
        RunConfig config = TestConfigs.small(7, 8, 2, 8);
        try (AnalysisBackend backend = open(config)) {
            assertThrows(IllegalArgumentException.class, () -> backend.transform1d(new float[7 * 3 + 1], 3));
            assertThrows(IllegalArgumentException.class, () -> backend.transform2d(new float[48], 1));
            assertThrows(IllegalArgumentException.class, () -> backend.fracExplained(new float[10], 8));
            assertThrows(IllegalArgumentException.class,
                    () -> backend.weightMeasures(new float[][] {new float[3]}));
            assertTrue(backend.description().contains("DFT") && backend.description().contains("CUDA engine"),
                    backend.description());
        }
    }
}
