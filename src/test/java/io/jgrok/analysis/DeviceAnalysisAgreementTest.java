package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Devices;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code jgrok analyze} on a small model trained here, once with the CPU backend and once on a device, compared
 * output by output ({@link AnalysisAgreement}): the emulated device always (the DFT kernels), a GPU when there is
 * one (cuFFT when a libcufft loads).
 */
class DeviceAnalysisAgreementTest {
    @TempDir
    static Path tmp;
    static RunDirectory run;

    @BeforeAll
    static void train() {
        RunConfig config = TestConfigs.with(TestConfigs.small(17, 32, 4, 48), b -> {
            b.nEpochs = 301;
            b.checkpointEvery = 50;
            b.evalEvery = 10;
        });
        run = new RunDirectory(tmp.resolve("run"));
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        assertEquals(Trainer.Status.DONE, Trainer.start(config, run, null, null, false,
                new Trainer.Options(false, sink, sink)).status());
    }

    static AnalysisResults analyze(String device) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        return Analyzer.run(run, new Analyzer.Options(null, device, 2, false, sink, sink));
    }

    @Test
    void theEmulatedDeviceAgreesWithTheCpuOnEveryOutput() {
        AnalysisResults cpu = analyze("cpu");
        AnalysisResults emulated = analyze("emulated");
        assertTrue(emulated.backend().startsWith("device analysis on emulated device"), emulated.backend());
        assertEquals(7, emulated.progress().size(), "checkpoints 0, 50, ..., 300");
        AnalysisAgreement.assertAgree(cpu, emulated);
    }

    @Test
    void aGpuAgreesWithTheCpuOnEveryOutput() {
        CudaProbe probe = Devices.probeCuda();
        assumeTrue(probe.usable(), "no usable CUDA GPU: " + probe.reason());
        AnalysisAgreement.assertAgree(analyze("cpu"), analyze("cuda"));
    }
}
