package io.jgrok.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Damaged and hostile torch files built byte by byte: a pickle assembler for the opcodes torch files use (and a few
 * they do not), and a zip writer that puts it under {@code hand/data.pkl} beside any storage records. PyTorch could
 * not write most of these, which is the point.
 */
final class HandMadeTorchFiles {
    private HandMadeTorchFiles() {
    }

    /** Pickle opcodes, appended in order. {@link #bytes()} ends the pickle with STOP. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle() {
            op(0x80).op(2);  // PROTO 2, as torch.save writes
        }

        Pickle op(int opcode) {
            out.write(opcode);
            return this;
        }

        Pickle raw(String ascii) {
            out.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').int32(b.length);
            out.writeBytes(b);
            return this;
        }

        /** BININT for what fits in 32 bits, else LONG1 with 8 bytes. */
        Pickle num(long n) {
            if (n == (int) n) {
                return op('J').int32((int) n);
            }
            op(0x8a).op(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (n >>> (8 * i)));
            }
            return this;
        }

        Pickle global(String module, String name) {
            return op('c').raw(module + "\n" + name + "\n");
        }

        Pickle mark() {
            return op('(');
        }

        Pickle put(int memo) {
            return op('q').op(memo);
        }

        Pickle get(int memo) {
            return op('h').op(memo);
        }

        /** A tuple of the numbers, as sizes and strides are written. */
        Pickle tuple(long... values) {
            mark();
            for (long v : values) {
                num(v);
            }
            return op('t');
        }

        /** The persistent id ('storage', torch.FloatStorage, key, 'cpu', numel), resolved by BINPERSID. */
        Pickle floatStorage(String key, long numel) {
            mark().str("storage").global("torch", "FloatStorage").str(key).str("cpu").num(numel).op('t');
            return op('Q');
        }

        /**
         * {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())} with the storage taken
         * from memo slot {@code storageMemo}.
         */
        Pickle tensor(int storageMemo, long offset, long[] size, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2").mark().get(storageMemo).num(offset).tuple(size)
                    .tuple(stride).op(0x89).global("collections", "OrderedDict").op(')').op('R').op('t');
            return op('R');
        }

        byte[] bytes() {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            copy.write('.');
            return copy.toByteArray();
        }

        private Pickle int32(int v) {
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
            return this;
        }
    }

    /** A zip of {@code hand/data.pkl} and {@code hand/data/<key>} records, all stored (as torch writes them). */
    static Path write(Path file, byte[] pickle, Map<String, byte[]> records) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("hand/data.pkl", pickle);
        records.forEach((k, v) -> entries.put("hand/data/" + k, v));
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    static Path write(Path file, byte[] pickle) throws IOException {
        return write(file, pickle, Map.of());
    }

    /**
     * A zip whose record {@code hand/data/0} is {@code zeros} zero bytes, deflated (a few hundred KB on disk per
     * hundred MB): what a zip bomb looks like to the reader.
     */
    static Path writeDeflatedZeros(Path file, byte[] pickle, long zeros) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("hand/data.pkl"));
            z.write(pickle);
            z.closeEntry();
            z.putNextEntry(new ZipEntry("hand/data/0"));
            byte[] chunk = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= chunk.length) {
                z.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            z.closeEntry();
        }
        return file;
    }
}
