package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.EmulatedDevice;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device AGOP's chunked sum over examples ({@link DeviceAgop}): at the paper's size a batch of checkpoints
 * spreads its training pairs over many chunks (the per-pair buffers of 64 checkpoints fill the chunk budget after
 * about 30 pairs), but the contract's small shapes fit in one. Here a small budget forces several chunks, the last
 * one partial: each checkpoint's AGOP equals the brute-force float64 evaluation, and has the same bits as with one
 * chunk (the float64 accumulator carries the sum from chunk to chunk in the same order).
 */
class DeviceAgopChunksTest {

    @ParameterizedTest(name = "{0} pairs per chunk")
    @ValueSource(ints = {1, 3, 5})
    void manyChunksGiveTheSameBitsAsOneAndMatchTheReference(int pairsPerChunk) {
        RunConfig config = TestConfigs.small(7, 8, 2, 12);
        ParamLayout layout = new ParamLayout(config);
        int[] train = Split.of(config).train();
        assertTrue(train.length % pairsPerChunk != 0 || pairsPerChunk == 1, "a partial last chunk: "
                + train.length + " pairs");
        float[][] batch = {AgopBackendContract.weights(layout, 31), AgopBackendContract.weights(layout, 32)};
        int dHat = config.dModel() + 2 * config.nHeads();
        long perPair = 4L * batch.length * ((long) config.p() * dHat + (long) dHat * dHat);
        try (EmulatedDevice device = EmulatedDevice.open()) {
            double[][] one;
            double[][] chunked;
            try (DeviceScratch s = new DeviceScratch(device, true)) {
                one = new DeviceAgop(device, config, layout).agop(s, batch, train);
            }
            try (DeviceScratch s = new DeviceScratch(device, true)) {
                chunked = new DeviceAgop(device, config, layout, pairsPerChunk * perPair).agop(s, batch, train);
            }
            for (int i = 0; i < batch.length; i++) {
                assertArrayEquals(one[i], chunked[i], "checkpoint " + i + ": the same bits in chunks");
                double[] expected = new AgopReference(layout, batch[i]).agop(train);
                double err = AgopBackendContract.relErr(chunked[i], expected);
                assertTrue(err < Tolerances.FLOAT32_REL, "checkpoint " + i + ": error " + err);
            }
        }
    }
}
