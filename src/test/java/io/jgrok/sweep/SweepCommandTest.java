package io.jgrok.sweep;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./jgrok sweep} on the command line: exit codes, one-line errors, dry runs, the benchmark. */
class SweepCommandTest {
    private static final String TINY = "{\"p\": 11, \"d_model\": 8, \"n_heads\": 2, \"d_mlp\": 16, "
            + "\"n_epochs\": 20, \"checkpoint_every\": 10, \"analysis\": \"none\"";

    @TempDir
    Path tmp;

    private String out;
    private String err;

    /** Runs the CLI; its stdout and stderr are then in {@link #out} and {@link #err}. */
    private int jgrok(String... args) {
        InProcessCli.Result r = InProcessCli.run(args);
        out = r.out();
        err = r.err();
        return r.code();
    }

    private Path spec(String json) throws Exception {
        Path f = tmp.resolve("spec" + json.hashCode() + ".json");
        Files.writeString(f, json);
        return f;
    }

    private void assertUserError(String expected, String... args) {
        assertEquals(2, jgrok(args), err);
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("jgrok: error: ") && err.contains(expected), err);
        assertFalse(err.contains("Exception"), err);
    }

    @Test
    void badInputIsOneLineWithExitCode2() throws Exception {
        Path out = tmp.resolve("out");
        assertUserError("does not exist", "sweep", tmp.resolve("nope.json").toString(), "--out", out.toString());
        assertUserError("unknown key 'wd'", "sweep", spec(TINY + ", \"wd\": [1, 2]}").toString(), "--out",
                out.toString());
        assertUserError("--p must be", "sweep", spec(TINY.replace("\"p\": 11", "\"p\": [11, 1]") + "}").toString(),
                "--out", out.toString());
        assertUserError("needs --out", "sweep", spec(TINY + "}").toString());
        assertUserError("--shard must be I/N", "sweep", spec(TINY + "}").toString(), "--out", out.toString(),
                "--shard", "2/2");
        assertUserError("--shard must be I/N", "sweep", spec(TINY + "}").toString(), "--out", out.toString(),
                "--shard", "x");
        assertUserError("--device cuda: ", "sweep", spec(TINY + ", \"device\": \"cuda\"}").toString(),
                "--out", out.toString());
        assertUserError("one spec file", "sweep", "a.json", "b.json", "--out", out.toString());
        assertUserError("no shard indexes", "sweep", "merge", tmp.toString());
        assertUserError("--parallel must be", "sweep", spec(TINY + "}").toString(), "--out", out.toString(),
                "--parallel", "0");
        assertFalse(Files.exists(out), "nothing is written for a bad command");
    }

    @Test
    void dryRunListsRunsShapesAndShardOwnership() throws Exception {
        assertEquals(0, jgrok("sweep", spec(TINY + ", \"train_fraction\": [0.3, 0.5], \"seed\": [1, 2]}").toString(),
                "--dry-run", "--shard", "1/2"));
        assertTrue(out.startsWith("4 runs in 2 shape group(s); shard 1/2 owns the runs marked *"), out);
        assertTrue(out.contains("*     1  frac0.3-seed2"), out);
        assertTrue(out.contains("      2  frac0.5-seed1"), out);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void exitCodeIsZeroWhenAllRunsAreDoneAndOneWhenSomeFailed() throws Exception {
        Path good = tmp.resolve("good");
        assertEquals(0, jgrok("sweep", spec(TINY + ", \"seed\": [1, 2]}").toString(), "--out", good.toString(),
                "--quiet"));
        assertTrue(out.contains("2 of 2 runs done"), out);
        Path mixed = tmp.resolve("mixed");
        assertEquals(1, jgrok("sweep", spec(TINY + ", \"lr\": [1e30, 0.001]}").toString(), "--out",
                mixed.toString(), "--quiet"));
        assertTrue(err.contains("1 run(s) failed: lr1e30") && err.contains("--retry-failed"), err);
        assertTrue(out.contains("1 of 2 runs done, 1 failed"), out);
    }

    @Test
    void benchReportsModelEpochsPerSecond() {
        assertEquals(0, jgrok("sweep", "--bench", "3", "--epochs", "5", "--warmup", "2", "--parallel", "2", "--",
                "--p", "11", "--d_model", "8", "--n_heads", "2", "--d_mlp", "16"));
        assertTrue(out.contains("jgrok sweep --bench 3: CPU: up to 2 run(s) at a time"), out);
        assertTrue(out.matches("(?s).*3 models x 5 epochs in [0-9.]+ s: [0-9.]+ model-epochs/s.*"), out);
    }
}
