package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;

/** {@link KernelVersionTest} on the emulated device (always runs). */
class EmulatedKernelVersionTest extends KernelVersionTest {
    @Override
    protected Device openDevice() {
        return EmulatedDevice.open();
    }

    @Override
    protected String kind() {
        return "emulated";
    }
}
