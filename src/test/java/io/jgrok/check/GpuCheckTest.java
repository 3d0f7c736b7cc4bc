package io.jgrok.check;

import com.google.gson.Gson;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Devices;
import io.jgrok.engine.device.KernelChecks;
import io.jgrok.engine.device.KernelVersionChecks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code jgrok gpu-check} without a GPU: the command itself (child processes, time caps, restarts, the report) on the
 * emulated device at --quick sizes, so that it cannot rot while no GPU is at hand. The parts of checks run the same
 * code as the device tests (which run every one of them on the emulated device); CI also runs the whole quick command
 * from the self-contained bundle (make dist-check).
 */
class GpuCheckTest {
    @TempDir
    Path tmp;

    private static GpuCheck.Options options(Path out, String device, int budget, List<String> only,
                                            ByteArrayOutputStream console) {
        return new GpuCheck.Options(out, device, true, null, null, budget, only,
                new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Path out) throws IOException {
        return new Gson().fromJson(Files.readString(out.resolve("gpu-check.json")), Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> part(Map<String, Object> json, String name) {
        for (Object o : (List<?>) json.get("parts")) {
            Map<String, Object> p = (Map<String, Object>) o;
            if (p.get("name").equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no part " + name + " in gpu-check.json");
    }

    @Test
    @SuppressWarnings("unchecked")
    void quickRunOnTheEmulatedDeviceChecksMeasuresAndReports() throws IOException {
        Path out = tmp.resolve("out");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int exit = GpuCheck.run(options(out, "emulated", 600, List.of("kernels", "speed", "sweep", "train", "analyze"),
                console));
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, printed);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("gpu-check.json", "gpu-check.log", "gpu-check.txt", "profile.txt"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        // Progress: a numbered line per part, a line per check.
        assertTrue(printed.contains("[ 1/6] probe"), printed);
        assertTrue(printed.contains("PASS  GEMM NN (gemm_nn) against a float64 product"), printed);

        Map<String, Object> json = json(out);
        assertEquals("jgrok-gpu-check-1", json.get("format"));
        assertEquals("PASS", json.get("result"));
        Map<String, Object> probe = (Map<String, Object>) json.get("probe");
        assertEquals(Boolean.TRUE, probe.get("usable"));
        assertEquals(System.getProperty("java.home"), ((Map<String, Object>) probe.get("java")).get("home"),
                "the probe names the Java runtime that ran it");
        Map<String, Object> kernels = part(json, "kernels");
        assertEquals("done", kernels.get("status"));
        List<Map<String, Object>> checks = (List<Map<String, Object>>) kernels.get("checks");
        int kernelChecks = KernelChecks.all().size() + (int) KernelVersionChecks.all().stream()
                .filter(c -> !c.paperSized()).count();
        assertEquals(kernelChecks, checks.size());
        for (Map<String, Object> c : checks) {
            assertEquals(Boolean.TRUE, c.get("pass"), String.valueOf(c));
            assertTrue(((Number) c.get("comparisons")).doubleValue() > 0, String.valueOf(c));
        }
        Map<String, Object> summary = (Map<String, Object>) json.get("summary");
        assertTrue(((Number) summary.get("epochs_per_second")).doubleValue() > 0, String.valueOf(summary));
        assertEquals(4.0, ((Number) summary.get("train_checkpoints")).doubleValue(), "checkpoints 0, 50, 100, 149");
        assertEquals(4.0, ((Number) summary.get("analysis_checkpoints")).doubleValue());
        Map<String, Object> sweep = (Map<String, Object>) summary.get("sweep_model_epochs_per_second");
        assertEquals(List.of("1", "2", "4"), List.copyOf(sweep.keySet()));

        String text = Files.readString(out.resolve("gpu-check.txt"));
        assertTrue(text.lines().count() < 40, "one screen:\n" + text);
        assertTrue(text.contains("kernels   done") && text.contains(kernelChecks + " of " + kernelChecks + " passed"),
                text);
        String profile = Files.readString(out.resolve("profile.txt"));
        for (String row : KernelCosts.ROWS_TO_LABELS.keySet()) {
            assertTrue(profile.contains(row), "profile.txt lacks " + row + ":\n" + profile);
        }
        // Every other kernel version timed too, each against the row it would replace.
        for (String row : new String[] {"tables_attention [warp]", "column_sums + sum [warp]",
                "backward_query [warp]"}) {
            assertTrue(profile.contains(row), "profile.txt lacks " + row + ":\n" + profile);
        }
        assertTrue(text.contains("with kernel versions tables_attention=warp,column_sums=warp,backward_query=warp: "),
                text);
        assertTrue(String.valueOf(part(json, "speed").get("note")).contains("time budgets not checked"),
                String.valueOf(part(json, "speed")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCrashingHangingOrContextPoisoningCheckCostsOnlyItself() throws IOException {
        Path out = tmp.resolve("faults");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setProperty(Part.EXTRA_PROPERTY, FaultyChecks.class.getName() + ":24");
        int exit;
        try {
            exit = GpuCheck.run(options(out, "emulated", 120, List.of("extra"), console));
        } finally {
            System.clearProperty(Part.EXTRA_PROPERTY);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, printed);
        List<Map<String, Object>> checks = (List<Map<String, Object>>) part(json(out), "extra").get("checks");
        assertEquals(7, checks.size(), printed);
        assertEquals(Boolean.TRUE, checks.get(0).get("pass"));
        assertEquals(Boolean.FALSE, checks.get(1).get("pass"));
        assertTrue(String.valueOf(checks.get(1).get("message")).contains("simulated sticky fault"), printed);
        assertTrue(String.valueOf(checks.get(1).get("sync_rerun")).contains("simulated_fault (grid 1, block 32) "
                + "faulted: simulated, named under " + Devices.SYNC_VARIABLE), String.valueOf(checks.get(1)));
        assertEquals(Boolean.TRUE, checks.get(2).get("pass"), "a fresh process after the poisoned context: " + printed);
        assertEquals(Boolean.FALSE, checks.get(3).get("pass"));
        assertTrue(String.valueOf(checks.get(3).get("message")).contains("exit status 134"), printed);
        assertEquals(Boolean.TRUE, checks.get(4).get("pass"), printed);
        assertEquals(Boolean.FALSE, checks.get(5).get("pass"));
        assertTrue(String.valueOf(checks.get(5).get("message")).contains("its time cap"), printed);
        assertEquals(Boolean.FALSE, checks.get(6).get("pass"));
        assertTrue(String.valueOf(checks.get(6).get("message")).startsWith("not run"), printed);
        String text = Files.readString(out.resolve("gpu-check.txt"));
        assertTrue(text.contains("FAIL kills its process"), text);
        assertTrue(text.contains("with JGROK_DEVICE_SYNC=1: kernel simulated_fault"), text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutAGpuTheCudaRunStopsAfterTheProbeWithExitTwo() throws IOException {
        CudaProbe probe = Devices.probeCuda();
        assumeFalse(probe.usable(), "a usable GPU is present");
        Path out = tmp.resolve("nogpu");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int exit = GpuCheck.run(new GpuCheck.Options(out, "cuda", false, null, null, 60, List.of(),
                new PrintStream(console, true, StandardCharsets.UTF_8)));
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, printed);
        assertTrue(printed.contains("gpu-check: the cuda device is not usable: "), printed);
        Map<String, Object> json = json(out);
        assertEquals("DEVICE NOT USABLE", json.get("result"));
        Map<String, Object> p = (Map<String, Object>) json.get("probe");
        assertEquals(Boolean.FALSE, p.get("usable"));
        assertFalse(String.valueOf(p.get("reason")).isBlank());
        assertEquals("not run", part(json, "kernels").get("status"));
        assertTrue(((Map<String, Object>) p.get("cufft")).containsKey("candidates"));
    }
}
