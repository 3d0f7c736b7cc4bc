package io.jgrok.engine.device;

import io.jgrok.InProcessCli;
import io.jgrok.TestConfigs;
import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Devices;
import io.jgrok.engine.Engine;
import io.jgrok.engine.Engines;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.Checkpoints;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.jgrok.Tolerances.TRAINING_HISTORY_REL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The device engine behind the trainer and the command line: {@code --device} picks the engine (one-line errors,
 * auto's notice), a run on the emulated device writes the same files as a CPU run with the same history, a resumed
 * device run equals an uninterrupted one bit for bit, and {@code --profile} prints the per-kernel table.
 */
class DeviceTrainerTest {
    @TempDir
    Path tmp;

    private static RunConfig config(String device) {
        return TestConfigs.with(TestConfigs.small(13, 16, 2, 24), b -> {
            b.device = device;
            b.nEpochs = 12;
            b.checkpointEvery = 5;
            b.evalEvery = 2;
            b.lr = 1e-2;
            b.warmupSteps = 3;
        });
    }

    private static Trainer.Options quiet() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        return new Trainer.Options(false, sink, sink);
    }

    @Test
    void enginesOpenWhatTheDeviceFlagAsks() {
        RunConfig cpu = config("cpu");
        Split split = Split.of(cpu);
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        PrintStream notices = new PrintStream(notes, true, StandardCharsets.UTF_8);
        try (Engine e = Engines.open(config("emulated"), split, notices)) {
            assertInstanceOf(DeviceEngine.class, e);
            assertTrue(e.description().contains("emulated device"), e.description());
        }
        CudaProbe probe = Devices.probeCuda();
        if (probe.usable()) {
            try (Engine e = Engines.open(config("cuda"), split, notices)) {
                assertInstanceOf(DeviceEngine.class, e);
            }
            try (Engine e = Engines.open(config("auto"), split, notices)) {
                assertInstanceOf(DeviceEngine.class, e);
            }
        } else {
            UserError err = assertThrows(UserError.class, () -> Engines.open(config("cuda"), split, notices));
            assertTrue(err.getMessage().startsWith("--device cuda: "), err.getMessage());
            assertFalse(err.getMessage().contains("\n"), "one line: " + err.getMessage());
            try (Engine e = Engines.open(config("auto"), split, notices)) {
                assertInstanceOf(CpuEngine.class, e);
            }
            String said = notes.toString(StandardCharsets.UTF_8);
            assertTrue(said.startsWith("jgrok: no usable CUDA GPU (") && said.contains("using the CPU engine")
                    && said.lines().count() == 1, said);
        }
    }

    @Test
    void deviceCudaWithoutAGpuFailsInOneLineBeforeWritingAnything() {
        assumeFalse(Devices.probeCuda().usable(), "a usable GPU is present: --device cuda would train");
        Path out = tmp.resolve("never");
        InProcessCli.Result r = InProcessCli.run("train", "--device", "cuda", "--n_epochs", "3", "--quiet", "--out",
                out.toString());
        String text = r.err();
        assertEquals(UserError.EXIT_CODE, r.code());
        assertTrue(text.startsWith("jgrok: error: --device cuda: ") && text.lines().count() == 1, text);
        assertFalse(Files.exists(out), "no run directory may be created");
    }

    @Test
    void anEmulatedRunWritesTheFilesOfACpuRun() throws IOException {
        RunDirectory cpuDir = new RunDirectory(tmp.resolve("cpu"));
        RunDirectory devDir = new RunDirectory(tmp.resolve("emulated"));
        Trainer.start(config("cpu"), cpuDir, null, null, false, quiet());
        Trainer.Outcome out = Trainer.start(config("emulated"), devDir, null, null, false, quiet());
        assertEquals(Trainer.Status.DONE, out.status());
        assertEquals(files(cpuDir.root()), files(devDir.root()));
        History a = History.read(cpuDir.history());
        History b = History.read(devDir.history());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.epoch(i), b.epoch(i));
            assertEquals(a.trainLoss(i), b.trainLoss(i), TRAINING_HISTORY_REL * a.trainLoss(i), "train loss " + i);
            assertEquals(Double.isNaN(a.testLoss(i)), Double.isNaN(b.testLoss(i)), "test evaluated at " + i);
            if (!Double.isNaN(a.testLoss(i))) {
                assertEquals(a.testLoss(i), b.testLoss(i), TRAINING_HISTORY_REL * a.testLoss(i), "test loss " + i);
            }
        }
        for (Path f : cpuDir.checkpointFiles()) {
            Checkpoints.Checkpoint ca = Checkpoints.read(f);
            Checkpoints.Checkpoint cb = Checkpoints.read(devDir.checkpoints().resolve(f.getFileName()));
            assertEquals(ca.epoch(), cb.epoch());
            assertEquals(ca.state().step(), cb.state().step());
        }
    }

    @Test
    void aResumedEmulatedRunEqualsAnUninterruptedOne() {
        RunDirectory whole = new RunDirectory(tmp.resolve("whole"));
        RunDirectory parts = new RunDirectory(tmp.resolve("parts"));
        Trainer.start(config("emulated"), whole, null, null, false, quiet());
        Trainer.start(TestConfigs.with(config("emulated"), b -> b.nEpochs = 7), parts, null, null, false, quiet());
        Trainer.resume(parts, 12, quiet());
        Checkpoints.Checkpoint a = Checkpoints.read(whole.checkpoint(11));
        Checkpoints.Checkpoint b = Checkpoints.read(parts.checkpoint(11));
        assertArrayEquals(a.state().params(), b.state().params());
        assertArrayEquals(a.state().adamM(), b.state().adamM());
        assertArrayEquals(a.state().adamV(), b.state().adamV());
    }

    @Test
    void profileFlagPrintsThePerKernelTable() {
        InProcessCli.Result r = InProcessCli.run("train", "--p", "11", "--d_model", "16", "--n_heads", "2", "--d_mlp",
                "24", "--n_epochs", "4", "--device", "emulated", "--profile", "--out",
                tmp.resolve("profiled").toString());
        String text = r.out();
        assertEquals(0, r.code(), text + r.err());
        assertTrue(text.contains("jgrok --profile: per-kernel time of a replayed epoch"), text);
        assertTrue(text.contains("(mean over 3 replayed epochs)"), text);  // epoch 0 is the eager warm-up
        for (String row : List.of("forward: logits += relu(pre) WOU", "backward: dpre = dlogits WOU^T, ReLU mask",
                "optimiser: masked Grokfast + AdamW", "epoch (sum of kernels)")) {
            assertTrue(text.contains(row), "profile row '" + row + "' missing:\n" + text);
        }
        assertTrue(text.contains("engine     device engine: emulated device"), "start-up line names the device");
    }

    private static Set<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            Set<String> out = new TreeSet<>();
            s.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString()));
            return out;
        }
    }
}
