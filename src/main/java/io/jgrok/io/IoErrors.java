package io.jgrok.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Says what an I/O failure was, for one-line errors. Java's file exceptions for the commonest failures (permission
 * denied, no such file, already exists) carry only the path as their message, so "cannot write X: X" would say
 * nothing; this names the failure.
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** "path: what happened" (or "path -> other path: ..." for a move), else the exception's message. */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f) {
            String what = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof DirectoryNotEmptyException ? "directory not empty"
                    : f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
            String where = f.getFile() == null ? "" : f.getFile() + (f.getOtherFile() == null ? ""
                    : " -> " + f.getOtherFile()) + ": ";
            return where + what;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
