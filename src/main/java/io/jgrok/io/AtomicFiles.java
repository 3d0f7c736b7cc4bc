package io.jgrok.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every file jgrok writes goes through here: the content is written to a temporary file in the same directory,
 * forced to disk, and renamed over the target, then the directory is forced. A reader (or a crash) sees the old
 * file or the new one, never a partial one. Leftover temporaries are named {@code .NAME.tmp-*} and ignored.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a file's content through a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically.
     *
     * @throws WriteFailure naming the target and saying why (a full disk in words); the target is unchanged
     */
    public static void write(Path target, Writer writer) throws IOException {
        try {
            writeAtomically(target, writer);
        } catch (WriteFailure e) {
            throw e;
        } catch (IOException e) {
            throw new WriteFailure(target, e);
        }
    }

    private static void writeAtomically(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: it makes the file owner-only (0600); results should get the umask's usual 0644.
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(System.nanoTime()));
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
                 OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            done = true;
            forceDirectory(dir);
        } finally {
            if (!done) {
                // Frees what the failed write took, so that a full disk has room for the run's status afterwards.
                Files.deleteIfExists(tmp);
            }
        }
    }

    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes a rename in {@code dir} durable (best effort: not every file system lets a directory be opened). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Directory fsync is an extra guarantee on Linux; the rename itself is already atomic.
        }
    }

    /** Whether a file name is one of our temporaries. */
    public static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.contains(".tmp-");
    }

    /**
     * Deletes the temporaries in {@code dir} left by writers that died mid-write (SIGKILL, power loss): those whose
     * process (the pid in the name) no longer runs. A live writer's temporary is left alone. Returns how many were
     * deleted.
     */
    public static int removeStaleTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (isTemporary(f) && !writerAlive(f) && Files.deleteIfExists(f)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    private static boolean writerAlive(Path temporary) {
        String name = temporary.getFileName().toString();
        String rest = name.substring(name.indexOf(".tmp-") + ".tmp-".length());
        int dash = rest.indexOf('-');
        try {
            long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException notOurs) {
            return true;  // not named by us: keep it
        }
    }
}
