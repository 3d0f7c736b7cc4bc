package io.jgrok.analysis;

import io.jgrok.config.RunConfig;
import io.jgrok.device.CudaDevice;

/**
 * The AGOP kernels on GPU 0, poisoned buffers: the same contract as on the emulated device ({@link EmulatedAgopTest}).
 * Skipped, with the probe's reason, where there is no usable GPU.
 */
class CudaAgopTest extends AgopBackendContract {

    @Override
    AnalysisBackend open(RunConfig config) {
        CudaAnalysisBackendTest.assumeGpu();
        return DeviceAnalysisBackend.open(CudaDevice.open(), config, System.err,
                new DeviceAnalysisBackend.Options(2, true, true));
    }
}
