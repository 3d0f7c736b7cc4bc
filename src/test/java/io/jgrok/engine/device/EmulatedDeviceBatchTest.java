package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;

/** {@link DeviceBatchTest} on the emulated device (always runs). */
class EmulatedDeviceBatchTest extends DeviceBatchTest {
    @Override
    protected Device openDevice() {
        return EmulatedDevice.open();
    }

    @Override
    protected String kind() {
        return "emulated";
    }
}
