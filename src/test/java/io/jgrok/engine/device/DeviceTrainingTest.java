package io.jgrok.engine.device;

import io.jgrok.check.DeviceCheckTests;
import io.jgrok.device.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * Ten full training epochs on the device engine against the CPU engine from the same initial weights (history rows
 * and final weights; the paper's config, the TransformerLens demo's variant, Grokfast EMA and MA, evaluation every
 * few epochs): {@link EngineChecks#training()}, one test per config (the checks live in main because
 * {@code jgrok gpu-check} runs the same ones). Runs on the emulated device and on a GPU when there is one.
 */
abstract class DeviceTrainingTest {

    protected abstract Device openDevice();

    protected abstract String kind();

    @TestFactory
    Stream<DynamicTest> tenEpochs() {
        return DeviceCheckTests.of(EngineChecks.training(), this::openDevice, kind());
    }
}
