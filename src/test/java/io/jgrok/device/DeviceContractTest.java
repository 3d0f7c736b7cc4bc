package io.jgrok.device;

import io.jgrok.check.DeviceCheckTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * What every {@link Device} must do: {@link DeviceContractChecks} (memory and copies, memset poisoning, argument
 * packing, index built-ins, block reductions, warp operations, atomics, barrier votes, math, graph capture and
 * replay, events, the checks in front of native code), one test per check. The checks live in main because
 * {@code jgrok gpu-check} runs the same ones. Run against the emulated device always
 * ({@link EmulatedDeviceContractTest}) and against a GPU when there is one ({@link CudaDeviceContractTest}).
 */
abstract class DeviceContractTest {

    /** Opens the device under test (or skips). */
    protected abstract Device openDevice();

    protected abstract String kind();

    @TestFactory
    Stream<DynamicTest> contract() {
        return DeviceCheckTests.of(DeviceContractChecks.all(), this::openDevice, kind());
    }
}
