package io.jgrok.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./jgrok train > log 2>&1}: with stderr not a terminal, the log gets a plain progress line at a steady
 * interval (here shortened with JGROK_PROGRESS_SECONDS), saying what its numbers are, and no terminal escapes.
 */
class TrainProgressInALogTest {
    @TempDir
    Path tmp;

    @Test
    void aLogGetsPlainProgressLines() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = tmp.resolve("log");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "io.jgrok.cli.Main", "train", "--p", "23", "--d_model", "32",
                "--n_heads", "4", "--d_mlp", "64", "--n_epochs", "2500", "--threads", "1", "--device", "cpu",
                "--out", tmp.resolve("run").toString());
        pb.environment().put("JGROK_STDERR_IS_TERMINAL", "0");
        pb.environment().put("JGROK_PROGRESS_SECONDS", "0.25");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertFalse(text.contains("\r") || text.contains("\033"), "no terminal control codes in a log");
        assertTrue(text.contains("train: 2,500 of 2,500 epochs to do; a progress line every 250 ms"), text);
        List<String> lines = text.lines().filter(l -> l.startsWith("train: ") && l.contains("elapsed")).toList();
        assertTrue(lines.size() >= 2, "progress lines while training: " + text);
        String full = "train: [0-9,]+/2,500 epochs \\([0-9]+%\\), elapsed [0-9:]+, left [0-9:]+, [0-9.,]+ epochs/s; "
                + "train loss [0-9.e+-]+ acc [0-9.]+%, test loss [0-9.e+-]+ acc [0-9.]+%";
        String starting = "train: 0/2,500 epochs \\(0%\\), elapsed [0-9:]+, left \\?";
        for (String l : lines) {
            assertTrue(l.matches(full) || l.matches(starting), l);
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches(full)), "a line with losses: " + lines);
        assertTrue(text.contains("jgrok: trained 2500 epochs"), text);
    }
}
