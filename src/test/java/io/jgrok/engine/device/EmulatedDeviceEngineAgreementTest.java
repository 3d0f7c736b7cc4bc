package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;

/** {@link DeviceEngineAgreementTest} on the emulated device (always runs). */
class EmulatedDeviceEngineAgreementTest extends DeviceEngineAgreementTest {
    @Override
    protected Device openDevice() {
        return EmulatedDevice.open();
    }

    @Override
    protected String kind() {
        return "emulated";
    }
}
