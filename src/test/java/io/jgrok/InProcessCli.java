package io.jgrok;

import io.jgrok.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jgrok CLI ({@link Main#run}) run in the test's own JVM with its stdout and stderr captured. Runs are serialised
 * (System.out and System.err belong to the whole JVM), so tests that run in parallel never mix their consoles.
 */
public final class InProcessCli {
    private InProcessCli() {
    }

    /** Exit status, stdout and stderr of one CLI run. */
    public record Result(int code, String out, String err) {
        /** The one line on stderr that an error is (asserted to be one line, starting "jgrok: error: "). */
        public String errorLine() {
            String[] lines = err.strip().split("\n");
            assertEquals(1, lines.length, "exactly one line on stderr: " + err);
            assertTrue(lines[0].startsWith("jgrok: error: "), err);
            return lines[0];
        }
    }

    public static synchronized Result run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
