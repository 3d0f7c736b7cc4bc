package io.jgrok.analysis;

import io.jgrok.check.DeviceCheckTests;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Devices;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code jgrok analyze} on a small model trained here, once with the CPU backend and once on a device, compared
 * output by output ({@link AnalysisAgreement#check()}, the check {@code jgrok gpu-check} runs): the emulated device
 * always (the DFT kernels), a GPU when there is one (cuFFT when a libcufft loads).
 */
class DeviceAnalysisAgreementTest {

    @Test
    void theEmulatedDeviceAgreesWithTheCpuOnEveryOutput() throws Exception {
        DeviceCheckTests.run(AnalysisAgreement.check(), () -> {
            throw new IllegalStateException("the analysis opens its own device");
        }, "emulated");
    }

    @Test
    void aGpuAgreesWithTheCpuOnEveryOutput() throws Exception {
        CudaProbe probe = Devices.probeCuda();
        assumeTrue(probe.usable(), "no usable CUDA GPU: " + probe.reason());
        DeviceCheckTests.run(AnalysisAgreement.check(), () -> {
            throw new IllegalStateException("the analysis opens its own device");
        }, "cuda");
    }
}
