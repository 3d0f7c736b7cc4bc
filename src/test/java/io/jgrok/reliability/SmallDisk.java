package io.jgrok.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real small disk for the disk-full tests: a tmpfs mounted on a folder, so that writes fail with the kernel's own
 * ENOSPC. Mounting needs root (CI runs as root); elsewhere the test is skipped with that reason.
 */
final class SmallDisk implements AutoCloseable {
    final Path root;

    private SmallDisk(Path root) {
        this.root = root;
    }

    /** Mounts a tmpfs of {@code size} (e.g. "256k", "4m") on {@code dir}, created if need be; skips without root. */
    static SmallDisk mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        boolean mounted = sh("mount", "-t", "tmpfs", "-o", "size=" + size, "jgrok-small-disk", dir.toString()) == 0;
        assumeTrue(mounted, "mounting a tmpfs needs root (CI runs as root); skipped here");
        return new SmallDisk(dir);
    }

    /** Gives the disk room (e.g. "16m"): what a user does after freeing space. */
    void grow(String size) throws IOException, InterruptedException {
        assertEquals(0, sh("mount", "-o", "remount,size=" + size, root.toString()), "remount " + root);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        sh("umount", "-l", root.toString());
    }

    private static int sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }
}
