package io.jgrok.engine.device;

import io.jgrok.check.DeviceCheckTests;
import io.jgrok.device.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * Every training kernel alone against a plain float64 reference, with poisoned outputs: {@link KernelChecks}, one
 * test per check (the checks live in main because {@code jgrok gpu-check} runs the same ones). Runs on the emulated
 * device ({@link EmulatedKernelTest}) and on a GPU when there is one ({@link CudaKernelTest}).
 */
abstract class KernelTest {

    protected abstract Device openDevice();

    protected abstract String kind();

    @TestFactory
    Stream<DynamicTest> kernels() {
        return DeviceCheckTests.of(KernelChecks.all(), this::openDevice, kind());
    }
}
