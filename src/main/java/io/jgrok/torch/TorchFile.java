package io.jgrok.torch;

import io.jgrok.UserError;
import net.razorvine.pickle.PickleException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a file written by {@code torch.save} (PyTorch 1.6 and later: a zip archive). Every entry sits under one
 * folder whose name varies by torch version ({@code archive/} in 2022 files, the file's stem in newer ones):
 * {@code <prefix>/data.pkl} is the pickled object, whose tensors refer by persistent id to raw little-endian
 * storage records {@code <prefix>/data/<key>}. Every record read is checked against the CRC-32 the archive stores.
 * What reading allocates is bounded by the file's size ({@link #BUDGET_RULE}, checked before each allocation), so
 * a small hostile file cannot fill the heap. Any problem with the file is a one-line {@link UserError} that names
 * it.
 */
public final class TorchFile {
    /** First bytes of a zip archive's local header. */
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    /**
     * Largest data.pkl read. The TransformerLens demo's is under 1 MB, a file with a million epochs of losses about
     * 20 MB (the rest of a file is storages); unpickling takes at most a few dozen bytes of objects per pickle byte.
     */
    private static final long MAX_PICKLE_BYTES = 32L << 20;
    /**
     * The storage records read and tensors built for one file may take at most this many times its size, plus
     * {@link #BUDGET_SLACK_BYTES}. A file torch wrote needs about twice its size (each record once, each tensor
     * once); views of shared storages add a little.
     */
    static final int BUDGET_FILE_FACTOR = 4;
    static final long BUDGET_SLACK_BYTES = 64L << 20;
    static final String BUDGET_RULE = BUDGET_FILE_FACTOR + " times its size plus " + (BUDGET_SLACK_BYTES >> 20) + " MiB";

    private TorchFile() {
    }

    /** Reads {@code file} and returns its unpickled root object (maps, lists, tuples, tensors, ...). */
    public static Object read(Path file) {
        byte[] head = head(file);
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw new UserError(file + " is in PyTorch's legacy format (torch < 1.6, not a zip archive), which jgrok "
                    + "does not read; load it in PyTorch and save it again with torch.save (zip format)");
        }
        if (head.length < 4 || !java.util.Arrays.equals(java.util.Arrays.copyOf(head, 4), ZIP_MAGIC)) {
            throw new UserError(file + " is not a PyTorch checkpoint (torch.save's zip format); jgrok imports "
                    + ".pt/.pth files written by torch.save");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefix(zip, file);
            byte[] pickle = record(zip, prefix + "data.pkl", MAX_PICKLE_BYTES, file);
            long budget = BUDGET_FILE_FACTOR * Files.size(file) + BUDGET_SLACK_BYTES;
            TorchUnpickler unpickler = new TorchUnpickler((key, dtype, numel) -> {
                long want = numel * dtype.size;  // charged against the budget already, so it does not overflow
                byte[] bytes = record(zip, prefix + "data/" + key, want, file);
                if (bytes.length != want) {
                    throw new IOException("record data/" + key + " has " + bytes.length + " bytes, but its "
                            + numel + " " + dtype + " elements need " + want);
                }
                return bytes;
            }, budget);
            try {
                return unpickler.read(pickle);
            } catch (PickleException e) {
                throw new UserError(file + ": " + prefix + "data.pkl " + e.getMessage());
            }
        } catch (ZipException e) {
            throw new UserError(file + " is a damaged or truncated zip archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static byte[] head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(8);
        } catch (NoSuchFileException e) {
            throw new UserError(file + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The folder all entries share, with its slash, found from the one entry named {@code .../data.pkl}. */
    private static String prefix(ZipFile zip, Path file) {
        List<String> pickles = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                pickles.add(name);
            }
        }
        if (pickles.size() != 1) {
            throw new UserError(file + " is a zip archive but not a torch.save file (expected one <folder>/data.pkl "
                    + "entry, found " + pickles.size() + ")");
        }
        return pickles.get(0).substring(0, pickles.get(0).length() - "data.pkl".length());
    }

    /** The bytes of one entry, checked against its stored size and CRC-32. */
    private static byte[] record(ZipFile zip, String name, long maxBytes, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new UserError(file + " lacks the record " + name + " (truncated or damaged file)");
        }
        if (entry.getSize() > maxBytes) {
            throw new UserError(file + ": record " + name + " has " + entry.getSize() + " bytes, more than the "
                    + maxBytes + " expected");
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 16) + 1);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        if (bytes.length != entry.getSize() || (entry.getCrc() != -1 && crc.getValue() != entry.getCrc())) {
            throw new UserError(file + ": record " + name + " is damaged (its size or CRC-32 does not match the "
                    + "archive's directory)");
        }
        return bytes;
    }
}
