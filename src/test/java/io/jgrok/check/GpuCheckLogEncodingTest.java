package io.jgrok.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gpu-check.log is UTF-8 whatever the locale: run from the bundle under {@code env -i} (no LANG, as on many GPU
 * machines and containers) the parts' processes printed "?Grad" for "⊥Grad", because they wrote their output in the
 * locale's ASCII while gpu-check reads it as UTF-8.
 */
class GpuCheckLogEncodingTest {
    @TempDir
    Path tmp;

    @Test
    void theLogKeepsNonAsciiNamesInTheCLocale() throws IOException, InterruptedException {
        Path out = tmp.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx1g", "--add-modules", "jdk.incubator.vector",
                "-D" + Part.EXTRA_PROPERTY + "=" + NonAsciiChecks.class.getName() + ":60", "-cp",
                System.getProperty("java.class.path"), "io.jgrok.cli.Main", "gpu-check", "--device", "emulated",
                "--quick", "--only", "extra", "--out", out.toString()));
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.startsWith("LC_"));
        pb.environment().put("LANG", "C");
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("console.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gpu-check did not finish");
        String console = Files.readString(tmp.resolve("console.txt"), StandardCharsets.ISO_8859_1);
        assertEquals(0, p.exitValue(), console);
        String log = Files.readString(out.resolve("gpu-check.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("PASS  " + NonAsciiChecks.NAME), log);
    }
}
