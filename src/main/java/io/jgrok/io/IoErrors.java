package io.jgrok.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The reason an I/O operation failed, in words. Java's file exceptions often carry only the path as their message
 * ({@code AccessDeniedException: /root/x}), which makes "cannot write to /root/x: /root/x"; this names the cause.
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** As {@link #describe(IOException, Path)} with no path named by the caller. */
    public static String describe(IOException e) {
        return describe(e, null);
    }

    /**
     * "permission denied", "Read-only file system", ...: never just a path. The file the error is about is added
     * ("permission denied on /a/b/c") unless it is {@code context}, which the caller's message names already.
     */
    public static String describe(IOException e, Path context) {
        String file = e instanceof FileSystemException f ? f.getFile() : null;
        String reason = e instanceof FileSystemException f ? f.getReason() : null;
        String what;
        if (e instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            what = "no such file or directory";
            Path parent = file == null ? null : Path.of(file).toAbsolutePath().getParent();
            if (parent != null && Files.isDirectory(parent)) {
                // mkdir in /proc or /sys: the parent exists, but its file system takes no new entries.
                what += " (" + parent + " takes no new entries)";
            }
        } else if (e instanceof NotDirectoryException) {
            what = "not a directory";
        } else if (e instanceof FileAlreadyExistsException) {
            what = "already exists";
        } else if (e instanceof DirectoryNotEmptyException) {
            what = "directory not empty";
        } else if (reason != null) {
            what = reason;
        } else if (e.getMessage() != null && !e.getMessage().equals(file)) {
            what = e.getMessage();
        } else {
            what = e.getClass().getSimpleName();
        }
        if (reason != null && !what.equals(reason) && !(e instanceof NoSuchFileException)) {
            what += " (" + reason + ")";
        }
        boolean named = file == null || context != null && Path.of(file).toAbsolutePath().normalize()
                .equals(context.toAbsolutePath().normalize());
        return named ? what : what + " on " + file;
    }
}
