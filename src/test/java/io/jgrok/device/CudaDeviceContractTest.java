package io.jgrok.device;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The device contract on GPU 0; skipped, with the probe's reason, where there is no usable GPU. */
class CudaDeviceContractTest extends DeviceContractTest {
    @Override
    protected Device openDevice() {
        CudaProbe probe = Devices.probeCuda();
        assumeTrue(probe.usable(), "no usable CUDA GPU: " + probe.reason());
        return CudaDevice.open();
    }

    @Override
    protected String kind() {
        return "cuda";
    }
}
