package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;

/** {@link KernelTest} on the emulated device (always runs). */
class EmulatedKernelTest extends KernelTest {
    @Override
    protected Device openDevice() {
        return EmulatedDevice.open();
    }

    @Override
    protected String kind() {
        return "emulated";
    }
}
