package io.jgrok.reliability;

import io.jgrok.io.AtomicFiles;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Child process for {@link AtomicFilesTest}: rewrites one file atomically, forever, with generations of
 * self-checking content (a generation number, 4 MB of bytes derived from it, and a CRC of both), so that the
 * parent can kill it at any moment and check that the file is always one whole generation.
 */
public final class AtomicWriteChild {
    private AtomicWriteChild() {
    }

    static byte[] content(long generation) {
        int n = 4 << 20;
        ByteBuffer b = ByteBuffer.allocate(8 + n + 8);
        b.putLong(generation);
        for (int i = 0; i < n; i++) {
            b.put((byte) (generation * 31 + i));
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 8 + n);
        b.putLong(crc.getValue());
        return b.array();
    }

    /** Whether {@code bytes} is one complete generation; returns it, or -1. */
    static long generationOf(byte[] bytes) {
        if (bytes.length != 8 + (4 << 20) + 8) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long g = b.getLong();
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        return b.getLong(bytes.length - 8) == crc.getValue() ? g : -1;
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        for (long g = 0; ; g++) {
            AtomicFiles.write(target, content(g));
            System.out.println(g);
        }
    }
}
