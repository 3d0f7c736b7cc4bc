package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.RunConfig;
import io.jgrok.device.CudaDevice;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Cufft;
import io.jgrok.device.Devices;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The device backend on GPU 0 (cuFFT when a libcufft loads, else the DFT kernels), with poisoned buffers: the same
 * contract as on the emulated device. Skipped, with the probe's reason, where there is no usable GPU; the emulated
 * twin is {@link DeviceAnalysisBackendTest} and the cuFFT binding's CPU-side twin {@link FakeCufftAnalysisBackendTest}.
 */
class CudaAnalysisBackendTest extends AnalysisBackendContract {

    static void assumeGpu() {
        CudaProbe probe = Devices.probeCuda();
        assumeTrue(probe.usable(), "no usable CUDA GPU: " + probe.reason());
    }

    @Override
    AnalysisBackend open(RunConfig config) {
        assumeGpu();
        return DeviceAnalysisBackend.open(CudaDevice.open(), config, System.err,
                new DeviceAnalysisBackend.Options(3, true, true));
    }

    @Test
    void cufftAndTheDftKernelsGiveTheSameTransforms() {
        assumeGpu();
        Cufft.Discovery found = Cufft.discover();
        assumeTrue(found.found(), "cuFFT not loadable: " + found.reason());
        RunConfig config = TestConfigs.small(13, 16, 2, 24);
        Random rnd = new Random(61);
        float[] x = gaussian(rnd, 13 * 13 * 5, 1.0);
        try (CudaDevice device = CudaDevice.open();
             DeviceAnalysisBackend dft = new DeviceAnalysisBackend(device, config, new DftHalfSpectra(device, 13),
                     new DeviceAnalysisBackend.Options(3, true, false));
             DeviceAnalysisBackend cufft = new DeviceAnalysisBackend(device, config,
                     new CufftHalfSpectra(found.library(), device::nativeStream, 13),
                     new DeviceAnalysisBackend.Options(3, true, false))) {
            assertTrue(cufft.description().contains("cuFFT"), cufft.description());
            assertTrue(Tolerances.relativeError(cufft.transform2d(x, 5), dft.transform2d(x, 5),
                    Tolerances.FLOAT32_ABS_FLOOR) < Tolerances.FLOAT32_REL);
        }
    }

    @Test
    void theBackendSaysWhichTransformRouteItUses() {
        assumeGpu();
        RunConfig config = TestConfigs.small(7, 8, 2, 8);
        try (AnalysisBackend backend = open(config)) {
            String route = Cufft.discover().found() ? "cuFFT" : "jgrok's DFT kernels";
            assertTrue(backend.description().contains("transforms: " + route), backend.description());
        }
    }
}
