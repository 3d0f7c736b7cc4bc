package io.jgrok.interop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python tools under tools/ with a Python that has PyTorch: {@code $JGROK_PYTHON}, else
 * {@code /usr/bin/python3}. Tests that need it skip when {@link #unavailableReason()} is non-null.
 */
final class TorchPython {
    private static final long TIMEOUT_S = 300;
    private static String unavailable;
    private static boolean probed;

    private TorchPython() {
    }

    /** What a test that needs the tools should run. */
    static String executable() {
        String env = System.getenv("JGROK_PYTHON");
        return env == null || env.isBlank() ? "/usr/bin/python3" : env;
    }

    static Path projectDir() {
        return Path.of(System.getProperty("jgrok.project.dir", ".")).toAbsolutePath();
    }

    /** Null when {@code python -c 'import torch, numpy'} works, else why not (for the skip message). */
    static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            try {
                Result r = run(List.of("-c", "import torch, numpy"));
                if (r.exitCode != 0) {
                    unavailable = executable() + " cannot import torch and numpy (exit " + r.exitCode + "): "
                            + lastLine(r.stderr) + "; set JGROK_PYTHON to a Python with PyTorch to run this test";
                }
            } catch (IOException e) {
                unavailable = executable() + " cannot be run (" + e.getMessage() + "); set JGROK_PYTHON to a "
                        + "Python with PyTorch to run this test";
            }
        }
        return unavailable;
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs the Python with the given arguments in the project directory. */
    static Result run(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable());
        cmd.addAll(args);
        Process proc = new ProcessBuilder(cmd).directory(projectDir().toFile()).start();
        proc.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(proc.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(proc.getErrorStream()));
        try {
            if (!proc.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + TIMEOUT_S + " s");
            }
            return new Result(proc.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String slurp(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
