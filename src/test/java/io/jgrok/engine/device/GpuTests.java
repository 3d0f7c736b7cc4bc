package io.jgrok.engine.device;

import io.jgrok.device.CudaDevice;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Device;
import io.jgrok.device.Devices;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opening GPU 0 for the CUDA twins of the device-engine tests: skipped, with the probe's reason, where there is no
 * usable GPU, except with {@code -Djgrok.test.requireGpu=true} (e.g. {@code mvn test
 * -Djgrok.test.argLine=-Djgrok.test.requireGpu=true} on a GPU machine), where a missing GPU fails. The same checks
 * run without Maven as {@code jgrok gpu-check}.
 */
final class GpuTests {
    private GpuTests() {
    }

    static Device openCudaOrSkip() {
        CudaProbe probe = Devices.probeCuda();
        if (Boolean.getBoolean("jgrok.test.requireGpu") && !probe.usable()) {
            fail("make gpu-check needs a usable CUDA GPU: " + probe.reason());
        }
        assumeTrue(probe.usable(), "no usable CUDA GPU: " + probe.reason());
        return CudaDevice.open();
    }
}
