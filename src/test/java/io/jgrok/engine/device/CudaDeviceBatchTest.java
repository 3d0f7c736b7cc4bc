package io.jgrok.engine.device;

import io.jgrok.device.Device;

/** {@link DeviceBatchTest} on GPU 0; skipped, with the probe's reason, where there is no usable GPU. */
class CudaDeviceBatchTest extends DeviceBatchTest {
    @Override
    protected Device openDevice() {
        return GpuTests.openCudaOrSkip();
    }

    @Override
    protected String kind() {
        return "cuda";
    }
}
