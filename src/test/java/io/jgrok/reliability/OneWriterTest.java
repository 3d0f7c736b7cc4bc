package io.jgrok.reliability;

import io.jgrok.InProcessCli;
import io.jgrok.io.RunDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.jgrok.reliability.CliRun.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer per run directory, with real processes: while a trainer runs (held still with SIGSTOP, so that the
 * test does not race it), a second trainer of every kind (a new run, --resume, --force) is refused with one line that
 * names the owner, and changes nothing; the owner then ends exactly as it would have alone. An owner killed with
 * SIGKILL is replaced at once by a resumed trainer, with no stale lock to clear.
 */
class OneWriterTest {
    /** A small model that still takes a few seconds for {@link #EPOCHS}: children must outlive their checks. */
    static final String[] CONFIG = {"--p", "23", "--d_model", "32", "--n_heads", "4", "--d_mlp", "64",
        "--checkpoint_every", "20", "--device", "cpu", "--threads", "1", "--quiet"};
    static final String EPOCHS = "400";
    /** The length of a child that is stopped by a signal, never by its end. */
    static final String FOREVER = "1000000";

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    static String[] train(Path out, String epochs, String... extra) {
        return concat(concat(new String[] {"train", "--out", out.toString(), "--n_epochs", epochs}, CONFIG), extra);
    }

    @Test
    void secondTrainersAreRefusedAndTheOwnerEndsAsIfAlone() throws Exception {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        String resume = dir.root().toString();

        // A new run is training: a new run, a --resume and a --force on its directory are refused.
        Process first = children.jgrok(tmp, "first", train(dir.root(), FOREVER));
        CliRun.waitForCheckpoints(first, dir, 3);
        CliRun.signal(first, "STOP");
        Map<Path, byte[]> before = snapshot(dir);
        String owner = "another jgrok process (jgrok train, pid " + first.pid() + " on host ";
        assertRefused(InProcessCli.run(train(dir.root(), FOREVER)), dir.root() + " is being trained by " + owner);
        assertRefused(InProcessCli.run("train", "--resume", resume, "--quiet"), dir.root() + " is being trained by "
                + owner);
        assertRefused(InProcessCli.run(train(dir.root(), FOREVER, "--force")), "--force will not delete " + dir.root()
                + ": it is being trained by " + owner);
        assertRefused(InProcessCli.run(train(dir.root(), "10", "--force")), "--force will not delete " + dir.root());
        assertUnchanged(before, dir);

        // Killed: the kernel drops its lock with it, and a resumed trainer takes the run over at once.
        assertTrue(Files.size(dir.lockFile()) > 0, "a killed owner's record stays in its lock file");
        CliRun.kill(first);
        Process second = children.jgrok(tmp, "second", "train", "--resume", resume, "--n_epochs", EPOCHS, "--quiet");
        CliRun.waitForCheckpoints(second, dir, dir.checkpointFiles().size() + 1);
        CliRun.signal(second, "STOP");
        before = snapshot(dir);
        owner = "another jgrok process (jgrok train, pid " + second.pid() + " on host ";
        assertRefused(InProcessCli.run("train", "--resume", resume, "--quiet"), dir.root() + " is being trained by "
                + owner);
        assertRefused(InProcessCli.run(train(dir.root(), EPOCHS, "--force")), "--force will not delete " + dir.root()
                + ": it is being trained by " + owner);
        assertRefused(InProcessCli.run(train(dir.root(), EPOCHS)), dir.root() + " is being trained by " + owner);
        assertUnchanged(before, dir);

        CliRun.signal(second, "CONT");
        assertEquals(0, CliRun.exitOf(second), Files.readString(tmp.resolve("second.err")));
        assertFalse(Files.readString(tmp.resolve("second.err")).contains("being trained"));
        KillAndResumeTest.assertSameRun(ReferenceRun.get(), dir);
        assertEquals(0, Files.size(dir.lockFile()), "the lock file is emptied when its owner lets go");
    }

    @Test
    void aRunCanBeTrainedAgainOnceItsOwnerHasFinished() {
        RunDirectory dir = new RunDirectory(tmp.resolve("run"));
        assertEquals(0, InProcessCli.run(train(dir.root(), "30")).code());
        InProcessCli.Result again = InProcessCli.run(train(dir.root(), "20", "--force"));
        assertEquals(0, again.code(), again.err());
        InProcessCli.Result extended = InProcessCli.run("train", "--resume", dir.root().toString(), "--n_epochs", "40",
                "--quiet");
        assertEquals(0, extended.code(), extended.err());
        assertEquals(40, io.jgrok.io.History.read(dir.history()).size());
    }

    /** One line, exit 2, naming the owner: {@code expected} is a prefix of what follows "jgrok: error: ". */
    private static void assertRefused(InProcessCli.Result r, String expected) {
        assertEquals(2, r.code(), r.err());
        String line = r.errorLine();
        assertTrue(line.startsWith("jgrok: error: " + expected), "expected '" + expected + "' in: " + line);
        assertTrue(line.contains("kill "), "says how to stop the owner: " + line);
    }

    /** Every file of a run (hidden lock file aside), by path. */
    static Map<Path, byte[]> snapshot(RunDirectory dir) throws Exception {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        try (var s = Files.walk(dir.root())) {
            for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                if (Files.isRegularFile(f) && !f.equals(dir.lockFile())) {
                    files.put(f, Files.readAllBytes(f));
                }
            }
        }
        assertTrue(files.containsKey(dir.config()) && files.containsKey(dir.history()), files.keySet().toString());
        return files;
    }

    static void assertUnchanged(Map<Path, byte[]> before, RunDirectory dir) throws Exception {
        Map<Path, byte[]> after = snapshot(dir);
        assertEquals(before.keySet(), after.keySet(), "files of the run");
        for (Map.Entry<Path, byte[]> e : before.entrySet()) {
            assertTrue(Arrays.equals(e.getValue(), after.get(e.getKey())), "changed: " + e.getKey());
        }
    }
}
