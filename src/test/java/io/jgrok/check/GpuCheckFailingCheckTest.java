package io.jgrok.check;

import com.google.gson.Gson;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A check that finishes with a wrong number (not a crash: {@link GpuCheckTest} covers those) fails gpu-check: exit
 * status 1, result FAIL, the check's message with its error and bound in gpu-check.json and gpu-check.txt, and the
 * check beside it still PASS.
 */
class GpuCheckFailingCheckTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void aWrongNumberFailsTheRunWithExitOne() throws IOException {
        Path out = tmp.resolve("out");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setProperty(Part.EXTRA_PROPERTY, WrongAnswerChecks.class.getName() + ":60");
        int exit;
        try {
            exit = GpuCheck.run(new GpuCheck.Options(out, "emulated", true, null, null, 120, List.of("extra"),
                    new PrintStream(console, true, StandardCharsets.UTF_8)));
        } finally {
            System.clearProperty(Part.EXTRA_PROPERTY);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, printed);
        assertTrue(printed.contains("FAIL  round trip against a wrong reference"), printed);
        assertTrue(printed.contains("PASS  round trip against the right reference"), printed);

        Map<String, Object> json = new Gson().fromJson(Files.readString(out.resolve("gpu-check.json")), Map.class);
        assertEquals("FAIL", json.get("result"));
        assertEquals(1.0, json.get("exit"));
        Map<String, Object> summary = (Map<String, Object>) json.get("summary");
        assertEquals(1.0, summary.get("checks_failed"));
        assertEquals(1.0, summary.get("checks_passed"));
        Map<String, Object> extra = ((List<Map<String, Object>>) json.get("parts")).stream()
                .filter(p -> p.get("name").equals("extra")).findFirst().orElseThrow();
        assertEquals("failed", extra.get("status"));
        Map<String, Object> wrong = ((List<Map<String, Object>>) extra.get("checks")).get(1);
        assertEquals(Boolean.FALSE, wrong.get("pass"));
        String message = String.valueOf(wrong.get("message"));
        assertTrue(message.contains(WrongAnswerChecks.WRONG + ": error 0.500 exceeds its bound 1.00e-06"), message);
        String text = Files.readString(out.resolve("gpu-check.txt"));
        assertTrue(text.contains("FAIL round trip against a wrong reference: " + message), text);
    }
}
