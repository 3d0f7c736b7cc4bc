package io.jgrok.sweep;

import io.jgrok.util.TerminalScreen;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep on a pseudo-terminal, recorded with util-linux's {@code script} and replayed through a small terminal
 * emulation: the progress bar is redrawn many times while runs finish, and every run's "done" line must still be on
 * the screen at the end, with the bar below them.
 */
class SweepOnATerminalTest {
    @TempDir
    Path tmp;

    @Test
    void everyRunsResultLineSurvivesTheBar() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/script").canExecute(), "util-linux script is not installed");
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, "{\"p\": 7, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 8, \"n_epochs\": 3000, "
                + "\"checkpoint_every\": 500, \"seeds\": \"1..4\", \"analysis\": \"none\"}");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path run = tmp.resolve("run.sh");
        Files.writeString(run, String.join("\n",
                "stty cols 200 rows 50",
                "export JGROK_STDERR_IS_TERMINAL=1",
                "exec '" + java + "' -Xmx512m --add-modules jdk.incubator.vector -cp '"
                        + System.getProperty("java.class.path") + "' io.jgrok.cli.Main sweep '" + spec + "' --out '"
                        + tmp.resolve("sweep") + "' --parallel 2",
                ""));
        Path typescript = tmp.resolve("typescript");
        Process p = new ProcessBuilder("/usr/bin/script", "-q", "-e", "-c", "bash " + run, typescript.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("script.out").toFile()).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the sweep finishes");
        String raw = Files.readString(typescript, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), raw);
        List<String> screen = TerminalScreen.render(raw);
        for (int seed = 1; seed <= 4; seed++) {
            String name = "seed" + seed;
            assertTrue(screen.stream().anyMatch(l -> l.startsWith("jgrok sweep: " + name + " done: 3000 epochs")),
                    name + "'s result line is on the screen:\n" + String.join("\n", screen));
        }
        int bar = -1;
        int lastDone = -1;
        for (int i = 0; i < screen.size(); i++) {
            if (screen.get(i).startsWith("sweep 100%")) {
                bar = i;
            }
            if (screen.get(i).contains(" done: 3000 epochs")) {
                lastDone = i;
            }
        }
        assertTrue(bar > lastDone, "the finished bar is below the result lines:\n" + String.join("\n", screen));
        assertTrue(raw.split("sweep +[0-9]+%", -1).length > 4, "the bar was drawn several times");
    }
}
