package io.jgrok.device;

import io.jgrok.Tolerances;
import io.jgrok.analysis.Dft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cuFFT binding without a GPU: library discovery and its one-line reasons (missing files, a library without the
 * functions, a failing version call, the order of candidates), and plans executed through a fake libcufft built
 * from src/test/native/fake_cufft.c on the emulated device's (host) memory, against the float64 DFT. The real cuFFT
 * is exercised by CudaAnalysisBackendTest on a GPU.
 */
class CufftBindingTest {
    @TempDir
    Path tmp;

    @Test
    void missingLibrariesGiveOneLineNamingEachCandidate() {
        List<String> candidates = List.of(tmp.resolve("libcufft.so.12").toString(), "libcufft.so.7");
        Cufft.Discovery d = Cufft.discover(candidates);
        assertFalse(d.found());
        assertNull(d.library());
        assertFalse(d.reason().contains("\n"), d.reason());
        for (String c : candidates) {
            assertTrue(d.reason().contains(c + ": "), d.reason());
        }
        assertTrue(d.reason().contains("cannot open shared object file"), d.reason());
        assertFalse(Cufft.discover(List.of()).found());
    }

    @Test
    void theDefaultSearchFindsALibraryOrSaysWhichSonamesItTried() {
        Cufft.Discovery d = Cufft.discover();
        if (d.found()) {
            assertTrue(d.library().version() > 0);
            assertTrue(d.library().file().contains("libcufft.so."), d.library().file());
        } else {
            for (String soname : Cufft.SONAMES) {
                assertTrue(d.reason().contains(soname), d.reason());
            }
        }
    }

    @Test
    void aLibraryWithoutTheFunctionsOrAWorkingVersionIsRejected() {
        Path noExec = FakeCufft.build(tmp, "libcufft.so.11", "FAKE_OMIT_EXEC");
        Path badVersion = FakeCufft.build(tmp.resolve("v"), "libcufft.so.10", "FAKE_FAIL_VERSION");
        Cufft.Discovery d = Cufft.discover(List.of("libc.so.6", noExec.toString(), badVersion.toString()));
        assertFalse(d.found());
        assertTrue(d.reason().contains("libc.so.6: no cufftGetVersion in it"), d.reason());
        assertTrue(d.reason().contains(noExec + ": no cufftExecR2C in it"), d.reason());
        assertTrue(d.reason().contains(badVersion + ": cufftGetVersion failed with CUFFT_INTERNAL_ERROR"),
                d.reason());
    }

    @Test
    void theFirstUsableCandidateWins() {
        Path broken = FakeCufft.build(tmp.resolve("a"), "libcufft.so.12", "FAKE_OMIT_EXEC");
        Path good = FakeCufft.build(tmp.resolve("b"), "libcufft.so.11", "FAKE_VERSION=11203");
        Path later = FakeCufft.build(tmp.resolve("c"), "libcufft.so.10", "FAKE_VERSION=10502");
        Cufft.Discovery d = Cufft.discover(List.of(broken.toString(), good.toString(), later.toString()));
        assertTrue(d.found(), d.reason());
        assertEquals(good.toString(), d.library().file());
        assertEquals(11203, d.library().version());
        assertEquals("cuFFT 11.2.3 (" + good + ")", d.library().description());
    }

    @Test
    void plansTransformColumnsInTheLayoutTheBasisMappingExpects() {
        Cufft cufft = Cufft.discover(List.of(FakeCufft.build(tmp, "libcufft.so.12").toString())).library();
        Random rnd = new Random(41);
        try (Device device = EmulatedDevice.open(1)) {
            for (int p : new int[] {12, 13}) {
                int cols = 5;
                float[] x = new float[p * cols];
                double[] xd = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextGaussian();
                    xd[i] = x[i];
                }
                int nk = p / 2 + 1;
                DevicePtr in = device.alloc(4L * x.length);
                DevicePtr out = device.alloc(8L * nk * cols);
                device.copyToDevice(in, x, 0, x.length);
                Dft.HalfSpectrum ref = Dft.halfSpectrum(xd, p, cols);
                try (Cufft.Plan plan = cufft.planColumnsR2c(p, cols)) {
                    plan.execute(in, out, 0);
                    float[] got = new float[2 * nk * cols];
                    device.copyToHost(got, 0, out, got.length);
                    double[] expected = new double[got.length];
                    for (int i = 0; i < nk * cols; i++) {
                        expected[2 * i] = ref.re()[i];
                        expected[2 * i + 1] = ref.im()[i];
                    }
                    assertTrue(Tolerances.relativeError(got, expected, Tolerances.FLOAT32_ABS_FLOOR)
                            < Tolerances.FLOAT32_REL);
                    DevicePtr small = device.alloc(8L * nk * cols - 8);
                    assertThrows(IllegalArgumentException.class, () -> plan.execute(in, small, 0));
                    plan.close();
                    DeviceException closed = assertThrows(DeviceException.class, () -> plan.execute(in, out, 0));
                    assertTrue(closed.getMessage().contains("after close"));
                }
            }
        }
    }

    @Test
    void resultCodesHaveTheirNames() {
        assertEquals("CUFFT_SUCCESS", Cufft.result(0));
        assertEquals("CUFFT_INVALID_SIZE", Cufft.result(8));
        assertEquals("CUFFT_NOT_SUPPORTED", Cufft.result(16));
        assertEquals("cufftResult 99", Cufft.result(99));
    }
}
