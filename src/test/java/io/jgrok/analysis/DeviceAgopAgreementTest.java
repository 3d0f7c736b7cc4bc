package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Devices;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code jgrok analyze --agop on} with the CPU backend and on a device, compared output by output
 * ({@link AnalysisAgreement}, AGOP included): the emulated device always, a GPU when there is one. The run goes from
 * random weights to the hand-built Fourier model, so the measures move over the whole range.
 */
class DeviceAgopAgreementTest {
    @TempDir
    static Path tmp;
    static RunDirectory run;

    @BeforeAll
    static void writeRun() throws Exception {
        RunConfig config = TestConfigs.small(13, 16, 4, 40);
        run = RunDirs.interpolated(tmp.resolve("run"), config, SyntheticFourierModel.build(config, new int[] {3, 4},
                10), 4, 100);
    }

    static AnalysisResults analyze(String device) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        return Analyzer.run(run, new Analyzer.Options(null, device, 2, false, sink, sink, KeyFrequencyRule.CLUSTERED, "on"));
    }

    @Test
    void theEmulatedDeviceAgreesWithTheCpu() {
        AnalysisResults cpu = analyze("cpu");
        AnalysisResults emulated = analyze("emulated");
        assertEquals(4, emulated.agop().measures().size());
        AnalysisAgreement.assertAgree(cpu, emulated);
    }

    @Test
    void aGpuAgreesWithTheCpu() {
        CudaProbe probe = Devices.probeCuda();
        assumeTrue(probe.usable(), "no usable CUDA GPU: " + probe.reason());
        AnalysisAgreement.assertAgree(analyze("cpu"), analyze("cuda"));
    }
}
