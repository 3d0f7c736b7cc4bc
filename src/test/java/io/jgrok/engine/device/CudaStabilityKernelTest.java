package io.jgrok.engine.device;

import io.jgrok.device.Device;

/** {@link StabilityKernelTest} on GPU 0; skipped, with the probe's reason, where there is no usable GPU. */
class CudaStabilityKernelTest extends StabilityKernelTest {
    @Override
    protected Device openDevice() {
        return GpuTests.openCudaOrSkip();
    }
}
