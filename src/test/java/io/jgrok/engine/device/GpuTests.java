package io.jgrok.engine.device;

import io.jgrok.device.CudaDevice;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Device;
import io.jgrok.device.Devices;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Opening GPU 0 for the CUDA twins of the device-engine tests, or skipping them with the probe's reason. */
final class GpuTests {
    private GpuTests() {
    }

    static Device openCudaOrSkip() {
        CudaProbe probe = Devices.probeCuda();
        assumeTrue(probe.usable(), "no usable CUDA GPU: " + probe.reason());
        return CudaDevice.open();
    }
}
