package io.jgrok.analysis;

import io.jgrok.config.RunConfig;
import io.jgrok.device.EmulatedDevice;

/**
 * The device backend's AGOP kernels on the emulated device: the shared contract against the brute-force reference
 * (the same tolerances as the CPU backend's float32 products), with every buffer poisoned before it is written.
 */
class EmulatedAgopTest extends AgopBackendContract {

    @Override
    AnalysisBackend open(RunConfig config) {
        return DeviceAnalysisBackend.open(EmulatedDevice.open(), config, System.err,
                new DeviceAnalysisBackend.Options(2, true, true));
    }
}
