package io.jgrok.torch;

import io.jgrok.InProcessCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An import killed while it assembled its run leaves a hidden staging directory beside --out (".NAME.tmp-PID-*",
 * holding checkpoints). The next import into the same --out deletes it when its process is gone, and leaves alone
 * one whose process still runs.
 */
class KilledImportLeftoversTest {
    @TempDir
    Path tmp;

    @Test
    void theNextImportDeletesADeadImportsStagingDirectory() throws Exception {
        Path dead = tmp.resolve(".run.tmp-" + deadPid() + "-1a2b");
        Files.createDirectories(dead.resolve("checkpoints"));
        Files.writeString(dead.resolve("checkpoints/checkpoint_epoch_0.safetensors"), "part of a checkpoint");
        Path live = tmp.resolve(".run.tmp-" + ProcessHandle.current().pid() + "-3c4d");
        Files.createDirectories(live);
        Path other = tmp.resolve(".other.tmp-" + deadPid() + "-5e6f");
        Files.createDirectories(other);

        InProcessCli.Result r = InProcessCli.run("import", Fixtures.file("state_dict_tl.pt").toString(), "--out",
                tmp.resolve("run").toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(dead), "a killed import's staging directory is deleted");
        assertTrue(Files.exists(live), "a running import's is kept");
        assertTrue(Files.exists(other), "another --out's is not this import's business");
    }

    /** A pid no process has: above Linux's pid_max limit. */
    private static long deadPid() {
        return 1L << 23;
    }
}
