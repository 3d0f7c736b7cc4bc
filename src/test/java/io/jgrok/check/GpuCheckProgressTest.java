package io.jgrok.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gpu-check's progress names a check whose process died as it happens (a FAIL line with the exit status, before the
 * run goes on in a fresh process), as it does for a check that failed within its process, not only in the summary
 * at the end.
 */
class GpuCheckProgressTest {
    @TempDir
    Path tmp;

    @Test
    void aCheckThatKillsItsProcessIsReportedWhenItHappens() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setProperty(Part.EXTRA_PROPERTY, CrashingChecks.class.getName() + ":60");
        int exit;
        try {
            exit = GpuCheck.run(new GpuCheck.Options(tmp.resolve("out"), "emulated", true, null, null, 120,
                    List.of("extra"), new PrintStream(console, true, StandardCharsets.UTF_8)));
        } finally {
            System.clearProperty(Part.EXTRA_PROPERTY);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, printed);
        int fail = printed.indexOf("    FAIL  kills its process");
        int fresh = printed.indexOf("continuing in a fresh process");
        assertTrue(fail >= 0 && fresh > fail, "the FAIL line comes as it happens:\n" + printed);
        assertTrue(printed.substring(fail, fresh).contains("the process ended with exit status 134"), printed);
    }
}
