package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trainer SIGKILLed leaves its record in the lock file (the kernel drops the lock itself). The next trainer takes
 * the run over at once and says so in one note naming the owner that ended; a trainer after an owner that let go
 * normally says nothing of the kind.
 */
class KilledOwnerNoteTest {
    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void theNextTrainerSaysItTookOverFromAKilledOne() throws Exception {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        Process first = children.jgrok(tmp, "first", OneWriterTest.train(dir.root(), OneWriterTest.FOREVER));
        CliRun.waitForCheckpoints(first, dir, 2);
        CliRun.kill(first);

        InProcessCli.Result resumed = InProcessCli.run("train", "--resume", dir.root().toString(), "--n_epochs",
                "100", "--quiet");
        assertEquals(0, resumed.code(), resumed.err());
        String note = "jgrok: note: taking over " + dir.root() + " from jgrok train, pid " + first.pid() + " on host ";
        assertTrue(resumed.err().lines().anyMatch(l -> l.startsWith(note)
                && l.endsWith(", which ended without letting go of it (killed or crashed)")), resumed.err());
        assertEquals(0, Files.size(dir.lockFile()));

        InProcessCli.Result again = InProcessCli.run("train", "--resume", dir.root().toString(), "--n_epochs", "120",
                "--quiet");
        assertEquals(0, again.code(), again.err());
        assertFalse(again.err().contains("taking over"), "the owner before let go normally: " + again.err());
    }
}
