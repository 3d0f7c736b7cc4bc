package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;

/** {@link StabilityKernelTest} on the emulated device (always runs). */
class EmulatedStabilityKernelTest extends StabilityKernelTest {
    @Override
    protected Device openDevice() {
        return EmulatedDevice.open();
    }
}
