package io.jgrok.check;

import com.google.gson.Gson;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gpu-check.json holds every number gpu-check promises (driver, GPU, kernel image, cuFFT, epochs/s, the train and
 * analyze wall times, sweep rates, each kernel's GB/s, GFLOP/s and fractions of the peaks), always under the same
 * key: a number where this run measured it, null with a reason in not_measured where it could not (the emulated
 * device has no driver and no peaks, a --quick run's config has no README counts, a part did not run). The file is
 * strict JSON (no NaN).
 */
class GpuCheckJsonNumbersTest {
    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> run(Path out, List<String> only) throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int exit = GpuCheck.run(new GpuCheck.Options(out, "emulated", true, null, null, 300, only,
                new PrintStream(console, true, StandardCharsets.UTF_8)));
        assertEquals(0, exit, console.toString(StandardCharsets.UTF_8));
        String text = Files.readString(out.resolve("gpu-check.json"));
        JsonReader strict = new JsonReader(new StringReader(text));
        strict.setLenient(false);
        JsonParser.parseReader(strict);  // throws on NaN or Infinity
        return new Gson().fromJson(text, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static void assertEveryNumberOrReason(Map<String, Object> summary) {
        Map<String, Object> why = (Map<String, Object>) summary.get("not_measured");
        assertNotNull(why, "summary.not_measured: " + summary);
        for (String key : GpuCheckReport.SUMMARY_NUMBERS) {
            assertTrue(summary.containsKey(key), "summary lacks " + key + ": " + summary);
            if (summary.get(key) == null) {
                assertFalse(String.valueOf(why.get(key)).isBlank() || why.get(key) == null,
                        key + " is null without a reason: " + why);
            } else {
                assertNull(why.get(key), key + " is measured and has a reason too");
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEmulatedQuickRunHasEveryNumberOrItsReason() throws IOException {
        Map<String, Object> json = run(tmp.resolve("speed"), List.of("speed"));
        Map<String, Object> summary = (Map<String, Object>) json.get("summary");
        assertEveryNumberOrReason(summary);
        Map<String, Object> why = (Map<String, Object>) summary.get("not_measured");
        // Measured on the emulated device:
        assertTrue(((Number) summary.get("epochs_per_second")).doubleValue() > 0, String.valueOf(summary));
        assertEquals(Boolean.FALSE, summary.get("cufft_found"));
        // Not measurable there, each with its reason:
        for (String key : List.of("driver_release", "driver_cuda_version", "gpu_name", "compute_capability",
                "memory_gib", "peak_fp32_gflops", "peak_dram_gbps", "kernel_image")) {
            assertNull(summary.get(key), key);
            assertTrue(String.valueOf(why.get(key)).contains("emulated device has no NVIDIA driver or GPU"),
                    key + ": " + why.get(key));
        }
        assertTrue(String.valueOf(why.get("cufft_file")).startsWith("no usable cuFFT")
                || String.valueOf(why.get("cufft_file")).startsWith("no cuFFT"), String.valueOf(why));
        // Parts left out by --only:
        assertTrue(String.valueOf(why.get("train_wall_seconds")).contains("the train part was not run (--only)"),
                String.valueOf(why));
        assertTrue(String.valueOf(why.get("sweep_model_epochs_per_second")).contains("sweep part was not run"));
        assertTrue(String.valueOf(why.get("analysis_wall_seconds")).contains("analyze part was not run"));

        List<Map<String, Object>> table = (List<Map<String, Object>>) json.get("kernel_table");
        assertFalse(table.isEmpty());
        for (Map<String, Object> row : table) {
            for (String key : GpuCheckReport.KERNEL_ROW_NUMBERS) {
                assertTrue(row.containsKey(key), row.get("kernel") + " lacks " + key + ": " + row);
                assertNull(row.get(key), "a --quick config has no README counts: " + row);
            }
            assertTrue(String.valueOf(row.get("not_measured")).contains("are for the paper's config"),
                    String.valueOf(row));
            assertTrue(((Number) row.get("us_per_epoch")).doubleValue() > 0, String.valueOf(row));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPaperConfigProfileWithoutGpuPeaksGivesNullFractionsWithAReason() {
        Map<String, Object> launch = Map.of("label", KernelCosts.ROWS_TO_LABELS.values().iterator().next().get(0),
                "launches_per_epoch", 1.0, "us_per_epoch", 10.0);
        Map<String, Object> speed = Map.of("config", "paper", "profile", List.of(launch));
        Map<String, Object> row = GpuCheckReport.kernelTable(speed, Double.NaN, Double.NaN).get(0);
        assertTrue(((Number) row.get("gbps")).doubleValue() > 0, String.valueOf(row));
        assertNull(row.get("fraction_of_fp32_peak"));
        assertNull(row.get("fraction_of_dram_peak"));
        assertTrue(String.valueOf(row.get("not_measured")).contains("no GPU peaks"), String.valueOf(row));
        Map<String, Object> measured = GpuCheckReport.kernelTable(speed, 60_000, 3_350).get(0);
        assertTrue(((Number) measured.get("fraction_of_dram_peak")).doubleValue() > 0, String.valueOf(measured));
        assertNull(measured.get("not_measured"));
    }
}
