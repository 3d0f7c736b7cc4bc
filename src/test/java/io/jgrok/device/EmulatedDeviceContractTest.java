package io.jgrok.device;

/** The device contract on the emulated device (always runs: the emulator needs no GPU). */
class EmulatedDeviceContractTest extends DeviceContractTest {
    @Override
    protected Device openDevice() {
        return EmulatedDevice.open(2);
    }

    @Override
    protected String kind() {
        return "emulated";
    }
}
