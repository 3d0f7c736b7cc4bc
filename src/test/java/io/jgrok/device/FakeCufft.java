package io.jgrok.device;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds src/test/native/fake_cufft.c (a host-memory stand-in for libcufft with the real C signatures) into a
 * shared library for the binding tests. A test that needs one is skipped, with the reason, where no C compiler runs.
 */
public final class FakeCufft {
    static final Path SOURCE = Path.of("src/test/native/fake_cufft.c");

    private FakeCufft() {
    }

    /** Compiles the fake into dir/fileName with -D for each define (e.g. "FAKE_VERSION=11203"). */
    public static Path build(Path dir, String fileName, String... defines) {
        Path out = dir.resolve(fileName);
        List<String> command = new ArrayList<>(List.of("cc", "-shared", "-fPIC", "-O1", "-o", out.toString()));
        for (String d : defines) {
            command.add("-D" + d);
        }
        command.add(SOURCE.toAbsolutePath().toString());
        command.add("-lm");
        try {
            Files.createDirectories(dir);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("cc did not finish building the fake cuFFT");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("cc failed on " + SOURCE + ": " + log);
            }
        } catch (IOException e) {
            Assumptions.abort("no C compiler to build the fake cuFFT (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }
}
