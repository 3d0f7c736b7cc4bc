package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code import --force} replaces a run directory, as {@code train --force} does, so it obeys the same lock: while a
 * trainer (a real child JVM, held still with SIGSTOP) owns the directory, the import is refused with one line naming
 * the owner, before it reads its file, and nothing in the directory changes. Once the trainer is gone the same import
 * replaces the run and leaves the lock free.
 */
class ImportIntoLiveRunTest {
    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    private static Path torchFile() {
        return Path.of(System.getProperty("jgrok.project.dir", ".")).resolve("src/test/resources/torch")
                .resolve("state_dict_tl.pt");
    }

    @Test
    void importForceIsRefusedWhileATrainerOwnsTheRun() throws Exception {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        Process trainer = children.jgrok(tmp, "trainer", OneWriterTest.train(dir.root(), OneWriterTest.FOREVER));
        CliRun.waitForCheckpoints(trainer, dir, 3);
        CliRun.signal(trainer, "STOP");
        Map<Path, byte[]> before = OneWriterTest.snapshot(dir);

        InProcessCli.Result r = InProcessCli.run("import", torchFile().toString(), "--out", dir.root().toString(),
                "--force", "--quiet");
        assertEquals(2, r.code(), r.err());
        String line = r.errorLine();
        assertTrue(line.startsWith("jgrok: error: --force will not delete " + dir.root() + ": it is being trained by "
                + "another jgrok process (jgrok train, pid " + trainer.pid() + " on host "), line);
        assertTrue(line.contains("kill " + trainer.pid()), "says how to stop the owner: " + line);
        assertTrue(!r.out().contains("jgrok import:"), "refused before reading the file: " + r.out());
        OneWriterTest.assertUnchanged(before, dir);
        try (Stream<Path> s = Files.walk(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList(),
                    "no staging directory left");
        }

        CliRun.kill(trainer);
        InProcessCli.Result after = InProcessCli.run("import", torchFile().toString(), "--out",
                dir.root().toString(), "--force", "--quiet");
        assertEquals(0, after.code(), after.err());
        assertEquals(List.of(0L), dir.checkpointFiles().stream().map(io.jgrok.io.Checkpoints::epochOf).toList(),
                "the imported run replaced the trained one");
        assertEquals(0, Files.size(dir.lockFile()), "the import let go of the lock");
    }
}
