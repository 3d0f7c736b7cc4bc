package io.jgrok.engine.device;

import io.jgrok.check.DeviceCheckTests;
import io.jgrok.device.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The versions of each kernel that has more than one against each other ({@link KernelVersionChecks}: bit-reproducible,
 * agreeing within float32 rounding, small and paper shapes), one test per check. Each version against the float64
 * reference is in {@link KernelTest}. Runs on the emulated device ({@link EmulatedKernelVersionTest}) and on a GPU when
 * there is one ({@link CudaKernelVersionTest}).
 */
abstract class KernelVersionTest {

    protected abstract Device openDevice();

    protected abstract String kind();

    @TestFactory
    Stream<DynamicTest> versions() {
        return DeviceCheckTests.of(KernelVersionChecks.all(), this::openDevice, kind());
    }
}
