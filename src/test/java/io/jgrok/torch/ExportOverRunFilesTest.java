package io.jgrok.torch;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code export --format tl-demo --out FILE --force} onto one of a run's own files (a slip of the path, or the
 * directory of a run that a trainer is writing) is refused, and the file stays as it was; a new file beside them is
 * fine.
 */
class ExportOverRunFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aRunsOwnFilesAreNeverReplaced() throws Exception {
        RunDirectory run = new RunDirectory(tmp.resolve("run"));
        assertEquals(0, InProcessCli.run("train", "--out", run.root().toString(), "--p", "11", "--d_model", "16",
                "--n_heads", "2", "--d_mlp", "32", "--n_epochs", "20", "--checkpoint_every", "10", "--device", "cpu",
                "--threads", "1", "--quiet").code());
        for (Path own : new Path[] {run.history(), run.config(), run.split(), run.runInfo(), run.checkpoint(10),
            run.lockFile()}) {
            byte[] before = Files.readAllBytes(own);
            InProcessCli.Result r = InProcessCli.run("export", run.root().toString(), "--format", "tl-demo", "--out",
                    own.toString(), "--force", "--quiet");
            assertEquals(2, r.code(), own + ": " + r.err());
            assertTrue(r.errorLine().startsWith("jgrok: error: --out " + own + " is a file of the run in "
                    + run.root() + ", which export never replaces"), r.err());
            assertTrue(Arrays.equals(before, Files.readAllBytes(own)), "unchanged: " + own);
        }
        InProcessCli.Result beside = InProcessCli.run("export", run.root().toString(), "--format", "tl-demo", "--out",
                run.root().resolve("export.pth").toString(), "--quiet");
        assertEquals(0, beside.code(), beside.err());
    }
}
