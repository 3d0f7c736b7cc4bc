package io.jgrok.engine.device;

import io.jgrok.device.Device;

/** {@link KernelVersionTest} on GPU 0; skipped, with the probe's reason, where there is no usable GPU. */
class CudaKernelVersionTest extends KernelVersionTest {
    @Override
    protected Device openDevice() {
        return GpuTests.openCudaOrSkip();
    }

    @Override
    protected String kind() {
        return "cuda";
    }
}
