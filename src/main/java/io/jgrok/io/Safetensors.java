package io.jgrok.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header mapping
 * tensor names to dtype, shape and [begin, end) byte offsets into the data section (plus an optional
 * {@code __metadata__} map of strings), padded with spaces to a multiple of 8, then the raw little-endian data.
 *
 * <p>We write float32 tensors only, and add the CRC-32C of the whole data section to the metadata under
 * {@link #CHECKSUM_KEY}; reading verifies it when present, so a flipped byte is an error, not a silent change.
 */
public final class Safetensors {
    public static final String CHECKSUM_KEY = "jgrok.data_crc32c";
    private static final Gson GSON = new Gson();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** A float32 tensor: shape and row-major data. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int s : shape) {
                n *= s;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape has " + n + " elements, data has " + data.length);
            }
        }

        public String shapeString() {
            return java.util.Arrays.toString(shape);
        }
    }

    /** What a file holds: tensors in file order and the metadata strings. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        long offset = 0;
        JsonObject header = new JsonObject();
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        CRC32C crc = new CRC32C();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int s : t.shape()) {
                shape.add(s);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4L * t.data().length;
            offsets.add(offset);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            crc.update(toBytes(t.data()));
        }
        meta.put(CHECKSUM_KEY, String.format(Locale.ROOT, "%08x", crc.getValue()));
        JsonObject metaJson = new JsonObject();
        meta.forEach(metaJson::addProperty);
        JsonObject full = new JsonObject();
        full.add("__metadata__", metaJson);
        for (String key : header.keySet()) {
            full.add(key, header.get(key));
        }
        byte[] json = GSON.toJson(full).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        java.util.Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (Tensor t : tensors.values()) {
                out.write(toBytes(t.data()));
            }
        });
    }

    /** Reads and validates a file; any structural problem or checksum mismatch is a {@link UserError}. */
    public static Contents read(Path file) {
        String what = "checkpoint " + file;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new UserError(what + " is truncated (" + size + " bytes); expected a safetensors file");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw new UserError(what + " is truncated or not a safetensors file (header length " + headerLen
                        + ", file size " + size + ")");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            JsonObject header;
            try {
                header = GSON.fromJson(new String(headerBuf.array(), StandardCharsets.UTF_8).trim(),
                        JsonObject.class);
            } catch (JsonParseException e) {
                throw new UserError(what + " has a corrupted header (not JSON)");
            }
            if (header == null) {
                throw new UserError(what + " has an empty header");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer data = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, dataLen))
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (dataLen > data.capacity()) {
                throw new UserError(what + " is too large to load");
            }
            readFully(ch, data, dataStart);
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                tensors.put(e.getKey(), parseTensor(what, e.getKey(), e.getValue().getAsJsonObject(), data, dataLen));
            }
            String expected = metadata.get(CHECKSUM_KEY);
            if (expected != null) {
                CRC32C crc = new CRC32C();
                crc.update(data.array(), 0, (int) dataLen);
                String actual = String.format(Locale.ROOT, "%08x", crc.getValue());
                if (!actual.equals(expected)) {
                    throw new UserError(what + " is corrupted: data checksum " + actual + " does not match the "
                            + "recorded " + expected);
                }
            }
            return new Contents(tensors, metadata);
        } catch (NoSuchFileException e) {
            throw new UserError(what + " does not exist");
        } catch (IOException e) {
            throw new UserError(what + " cannot be read: " + e.getMessage());
        } catch (IllegalStateException | UnsupportedOperationException | ClassCastException e) {
            throw new UserError(what + " has a malformed header (" + JsonErrors.describe(e) + ")");
        }
    }

    private static Tensor parseTensor(String what, String name, JsonObject entry, ByteBuffer data, long dataLen) {
        String dtype = entry.get("dtype").getAsString();
        JsonArray shapeJson = entry.getAsJsonArray("shape");
        int[] shape = new int[shapeJson.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsInt();
            if (shape[i] < 0) {
                throw new UserError(what + ": tensor " + name + " has a negative dimension");
            }
            n *= shape[i];
        }
        JsonArray off = entry.getAsJsonArray("data_offsets");
        long begin = off.get(0).getAsLong();
        long end = off.get(1).getAsLong();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new UserError(what + " is truncated: tensor " + name + " needs bytes " + begin + ".." + end
                    + " of a " + dataLen + "-byte data section");
        }
        float[] values = new float[(int) n];
        switch (dtype) {
            case "F32" -> {
                if (end - begin != 4 * n) {
                    throw new UserError(what + ": tensor " + name + " has " + (end - begin) + " bytes for " + n
                            + " float32 values");
                }
                data.position((int) begin);
                data.asFloatBuffer().get(values, 0, (int) n);
            }
            case "F64" -> {
                if (end - begin != 8 * n) {
                    throw new UserError(what + ": tensor " + name + " has " + (end - begin) + " bytes for " + n
                            + " float64 values");
                }
                for (int i = 0; i < n; i++) {
                    values[i] = (float) data.getDouble((int) begin + 8 * i);
                }
            }
            default -> throw new UserError(what + ": tensor " + name + " has dtype " + dtype
                    + "; only F32 and F64 are supported");
        }
        return new Tensor(shape, values);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    static byte[] toBytes(float[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return b.array();
    }
}
