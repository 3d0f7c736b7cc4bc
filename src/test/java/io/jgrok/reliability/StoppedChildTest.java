package io.jgrok.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-writer tests compare a run's files before and after other commands while its trainer is stopped: that
 * holds only if no thread of the trainer still runs once {@link CliRun#signal} returns. kill returns when SIGSTOP is
 * sent; a thread in a system call (the background checkpoint writer in open or fsync) finishes it first, and
 * OneWriterTest once saw a checkpoint's temporary file appear between its two snapshots.
 */
class StoppedChildTest {
    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses children = new ChildProcesses();

    @Test
    void afterStopEveryThreadOfATrainerIsStopped() throws Exception {
        Process p = children.jgrok(tmp, "trainer", OneWriterTest.train(tmp.resolve("run"), OneWriterTest.FOREVER));
        io.jgrok.io.RunDirectory dir = new io.jgrok.io.RunDirectory(tmp.resolve("run"));
        CliRun.waitForCheckpoints(p, dir, 2);
        assertFalse(CliRun.allThreadsStopped(p.pid()), "a training process has running threads");
        CliRun.signal(p, "STOP");
        assertTrue(CliRun.allThreadsStopped(p.pid()), "signal STOP returned with a thread still running");
        CliRun.signal(p, "CONT");
        CliRun.kill(p);
    }
}
