package io.jgrok.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A write through {@link AtomicFiles} failed: names the file it was writing and says, in words, why, telling a full
 * disk apart from other causes. The target is untouched (the new content went to a temporary, which is deleted).
 */
public final class WriteFailure extends IOException {
    /** Below this much usable space a failed write is put down to a full disk whatever the error's text says. */
    static final long NEARLY_FULL_BYTES = 1 << 20;

    private final transient Path file;
    private final boolean diskFull;
    private final String systemReason;

    WriteFailure(Path file, IOException cause) {
        this(file, cause, diskFull(file, cause));
    }

    private WriteFailure(Path file, IOException cause, boolean diskFull) {
        super(file + ": " + (diskFull ? "the disk is full (" + reasonOf(cause) + ")" : reasonOf(cause)), cause);
        this.file = file;
        this.diskFull = diskFull;
        this.systemReason = reasonOf(cause);
    }

    /** The file that could not be written. */
    public Path file() {
        return file;
    }

    /** The disk (or the user's quota) is full. */
    public boolean diskFull() {
        return diskFull;
    }

    /** The system's reason, e.g. "No space left on device" (NIO keeps it apart from the path). */
    public String systemReason() {
        return systemReason;
    }

    /**
     * An I/O error's reason in words. NIO's exceptions carry the path as their message and the reason apart, and
     * some (no such file, permission denied) carry no reason at all.
     */
    public static String reasonOf(IOException e) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        return IoErrors.describe(e, file == null ? null : Path.of(file));
    }


    /**
     * ENOSPC or EDQUOT, recognised by the system's (English) text anywhere in the cause chain, or, in any language,
     * by the file system having under {@link #NEARLY_FULL_BYTES} left after the failed write's temporary was
     * deleted.
     */
    static boolean diskFull(Path file, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
            if (t instanceof java.nio.file.NoSuchFileException || t instanceof java.nio.file.AccessDeniedException
                    || t instanceof java.nio.file.NotDirectoryException
                    || t instanceof java.nio.file.FileAlreadyExistsException) {
                return false;  // a cause of its own, whatever space is left (/proc has none at all)
            }
        }
        Path p = file.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        try {
            java.nio.file.FileStore store = p == null ? null : Files.getFileStore(p);
            // A file system without space to speak of (/proc, /sys: total 0) is not a full disk.
            return store != null && store.getTotalSpace() > 0 && store.getUsableSpace() < NEARLY_FULL_BYTES;
        } catch (IOException | RuntimeException unknown) {
            return false;
        }
    }
}
