package io.jgrok.engine.device;

import io.jgrok.check.DeviceCheckTests;
import io.jgrok.device.Device;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * The device engine's logits, loss and every gradient tensor against the plain float64 reference model and the CPU
 * engine, small shapes and the paper's config: {@link EngineChecks#agreement()}, one test per shape (the checks live
 * in main because {@code jgrok gpu-check} runs the same ones). Runs on the emulated device
 * ({@link EmulatedDeviceEngineAgreementTest}) and on a GPU when there is one.
 */
abstract class DeviceEngineAgreementTest {

    protected abstract Device openDevice();

    protected abstract String kind();

    @TestFactory
    Stream<DynamicTest> agreement() {
        return DeviceCheckTests.of(EngineChecks.agreement(), this::openDevice, kind());
    }
}
