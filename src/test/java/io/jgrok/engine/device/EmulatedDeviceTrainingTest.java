package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;

/** {@link DeviceTrainingTest} on the emulated device (always runs). */
class EmulatedDeviceTrainingTest extends DeviceTrainingTest {
    @Override
    protected Device openDevice() {
        return EmulatedDevice.open();
    }

    @Override
    protected String kind() {
        return "emulated";
    }
}
