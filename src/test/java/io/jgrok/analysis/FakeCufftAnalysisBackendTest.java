package io.jgrok.analysis;

import io.jgrok.config.RunConfig;
import io.jgrok.device.Cufft;
import io.jgrok.device.Device;
import io.jgrok.device.EmulatedDevice;
import io.jgrok.device.FakeCufft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The device backend's cuFFT route without a GPU: the whole contract with {@link CufftHalfSpectra} over the fake
 * libcufft (src/test/native/fake_cufft.c, host memory, cuFFT's documented layout) on the emulated device, so the
 * plan parameters, plan cache and the basis mapping after cuFFT are proven in CI; and the choice between cuFFT and
 * the DFT kernels, with its one-line notice.
 */
class FakeCufftAnalysisBackendTest extends AnalysisBackendContract {
    @TempDir
    static Path libraries;

    static Cufft fakeCufft() {
        Path lib = libraries.resolve("libcufft.so.12");
        if (!lib.toFile().exists()) {
            FakeCufft.build(libraries, "libcufft.so.12");
        }
        Cufft.Discovery d = Cufft.discover(List.of(lib.toString()));
        assertTrue(d.found(), d.reason());
        return d.library();
    }

    @Override
    AnalysisBackend open(RunConfig config) {
        Device device = EmulatedDevice.open(2);
        return new DeviceAnalysisBackend(device, config, new CufftHalfSpectra(fakeCufft(), () -> 0L, config.p()),
                new DeviceAnalysisBackend.Options(3, true, true));
    }

    @Test
    void aGpuWithoutCufftFallsBackToTheDftKernelsWithOneNotice() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Device device = EmulatedDevice.open(1);
             HalfSpectra s = HalfSpectra.choose(device, 13, true, () -> 0L,
                     () -> Cufft.discover(List.of(libraries.resolve("none.so").toString())),
                     new PrintStream(err, true))) {
            assertInstanceOf(DftHalfSpectra.class, s);
            String notice = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, notice.lines().count(), notice);
            assertTrue(notice.startsWith("jgrok: no usable cuFFT (") && notice.contains("none.so: cannot open")
                    && notice.strip().endsWith("the Fourier transforms use jgrok's DFT kernels"), notice);
        }
    }

    @Test
    void aGpuWithCufftUsesItAndTheEmulatedDeviceNeverLooks() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cufft cufft = fakeCufft();
        try (Device device = EmulatedDevice.open(1);
             HalfSpectra withCufft = HalfSpectra.choose(device, 13, true, () -> 0L,
                     () -> new Cufft.Discovery(cufft, null), new PrintStream(err, true));
             HalfSpectra emulated = HalfSpectra.forDevice(device, 13, () -> fail("the emulated device has no cuFFT"),
                     new PrintStream(err, true))) {
            assertInstanceOf(CufftHalfSpectra.class, withCufft);
            assertTrue(withCufft.description().startsWith("cuFFT 11.2.3 ("), withCufft.description());
            assertInstanceOf(DftHalfSpectra.class, emulated);
            assertFalse(err.toString(StandardCharsets.UTF_8).contains("jgrok"));
        }
    }

    @Test
    void thePlanCacheKeepsAFewPlansAndStillTransformsCorrectly() {
        // More distinct column counts than MAX_PLANS: evicted plans are destroyed and re-created on demand.
        RunConfig config = io.jgrok.TestConfigs.small(7, 8, 2, 8);
        java.util.Random rnd = new java.util.Random(42);
        double[][] f = Float64Reference.basisMatrix(7, config.fourierOrder());
        try (AnalysisBackend backend = open(config)) {
            for (int round = 0; round < 2; round++) {
                for (int m = 1; m <= CufftHalfSpectra.MAX_PLANS + 2; m++) {
                    float[] x = gaussian(rnd, 7 * m, 1.0);
                    assertTrue(io.jgrok.Tolerances.relativeError(backend.transform1d(x, m),
                            Float64Reference.transform1d(f, x, m), io.jgrok.Tolerances.FLOAT32_ABS_FLOOR)
                            < io.jgrok.Tolerances.FLOAT32_REL);
                }
            }
        }
    }
}
