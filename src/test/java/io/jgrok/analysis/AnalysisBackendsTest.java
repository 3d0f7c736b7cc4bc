package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Devices;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** {@code --device} for the analysis: which backend each choice opens, the notice of auto, and the errors. */
class AnalysisBackendsTest {
    static final RunConfig CONFIG = TestConfigs.small(7, 8, 2, 8);

    @Test
    void emulatedOpensTheDeviceBackendWithTheDftKernelsSilently() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (AnalysisBackend b = AnalysisBackends.open("emulated", CONFIG, 1, new PrintStream(err, true))) {
            assertInstanceOf(DeviceAnalysisBackend.class, b);
            assertEquals(AnalysisBackends.EMULATED_BATCH, b.preferredBatch());
            assertTrue(b.description().contains("emulated device") && b.description().contains("DFT kernels"),
                    b.description());
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void autoWithoutAGpuUsesTheCpuWithOneNotice() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (AnalysisBackend b = AnalysisBackends.open("auto", CONFIG, 1, new PrintStream(err, true),
                () -> new CudaProbe(false, "no CUDA GPU is visible"))) {
            assertInstanceOf(CpuAnalysisBackend.class, b);
        }
        String notice = err.toString(StandardCharsets.UTF_8);
        assertEquals("jgrok: no usable CUDA GPU (no CUDA GPU is visible); analysing on the CPU", notice.strip());
        assertEquals(1, notice.lines().count());
    }

    @Test
    void cudaWithoutAGpuIsAOneLineUserError() {
        CudaProbe probe = Devices.probeCuda();
        assumeFalse(probe.usable(), "a GPU is present: --device cuda opens it (CudaAnalysisBackendTest)");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        UserError e = assertThrows(UserError.class, () -> AnalysisBackends.open("cuda", CONFIG, 1, sink));
        assertTrue(e.getMessage().startsWith("--device cuda: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        UserError bad = assertThrows(UserError.class, () -> AnalysisBackends.open("tpu", CONFIG, 1, sink));
        assertTrue(bad.getMessage().contains("auto, cpu, cuda, emulated"));
    }
}
