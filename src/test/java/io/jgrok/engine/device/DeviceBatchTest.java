package io.jgrok.engine.device;

import io.jgrok.check.DeviceCheckTests;
import io.jgrok.device.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * What the device engine promises beyond agreeing with the CPU engine, bit for bit: {@link BatchChecks} (reruns,
 * graph replay = eager launches, a batch of N = N runs, resume = uninterrupted, the batched forward pass), one test
 * per check; the checks live in main because {@code jgrok gpu-check} runs the same ones. Runs on the emulated device
 * ({@link EmulatedDeviceBatchTest}) and on a GPU when there is one ({@link CudaDeviceBatchTest}).
 */
abstract class DeviceBatchTest {

    protected abstract Device openDevice();

    protected abstract String kind();

    @TestFactory
    Stream<DynamicTest> batch() {
        return DeviceCheckTests.of(BatchChecks.all(), this::openDevice, kind());
    }
}
