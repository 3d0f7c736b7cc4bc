package io.jgrok.torch;

import io.jgrok.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading and writing torch.save's zip format: views with strides and offsets into shared storages, every dtype
 * the fixtures use, the pickle's plain values and key order, and what a damaged pickle does. The files come from
 * PyTorch itself (tools/make_torch_fixtures.py), so the reader is checked against torch's writer; the writer is
 * checked against the reader here and against torch.load in TorchExportInteropTest.
 */
class TorchFileTest {
    @TempDir
    Path tmp;

    @Test
    void viewsOfSharedStoragesReadAsTorchHasThem() {
        Map<?, ?> v = (Map<?, ?>) TorchFile.read(Fixtures.file("views.pt"));
        float[] base = new float[12];
        for (int i = 0; i < 12; i++) {
            base[i] = i;
        }
        TorchTensor b = (TorchTensor) v.get("base");
        assertArrayEquals(new int[] {3, 4}, b.shape());
        assertArrayEquals(base, b.floats());
        TorchTensor t = (TorchTensor) v.get("transposed");
        assertArrayEquals(new int[] {4, 3}, t.shape());
        float[] want = new float[12];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 3; c++) {
                want[r * 3 + c] = base[c * 4 + r];
            }
        }
        assertArrayEquals(want, t.floats(), "strides");
        assertArrayEquals(new float[] {4, 5, 6, 7}, ((TorchTensor) v.get("row")).floats(), "offset");
        assertArrayEquals(new float[] {2, 6, 10}, ((TorchTensor) v.get("column")).floats(), "offset and stride");
        TorchTensor f64 = (TorchTensor) v.get("f64");
        assertEquals(Dtype.FLOAT64, f64.dtype());
        assertArrayEquals(new long[] {-3, 1L << 40}, ((TorchTensor) v.get("i64")).longs());
        assertArrayEquals(new long[] {1, 0, 1}, ((TorchTensor) v.get("flags")).longs());
        TorchTensor scalar = (TorchTensor) v.get("scalar");
        assertEquals(0, scalar.rank());
        assertEquals(2.5, scalar.scalar());
        List<?> nested = (List<?>) v.get("nested");
        assertEquals(1, ((Number) nested.get(0)).intValue());
        assertArrayEquals(new Object[] {2, "three"}, (Object[]) nested.get(1));
        assertNull(nested.get(2));
        assertTrue(Double.isNaN((Double) nested.get(3)));
        assertEquals(List.of(true, false), ((Map<?, ?>) nested.get(4)).get("k"));
    }

    @Test
    void stateDictsKeepTheirKeyOrder() {
        Map<?, ?> sd = (Map<?, ?>) TorchFile.read(Fixtures.file("state_dict_paper.pt"));
        assertEquals(List.of("embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_K", "blocks.0.attn.W_Q",
                "blocks.0.attn.W_V", "blocks.0.attn.W_O", "blocks.0.attn.mask", "blocks.0.mlp.W_in",
                "blocks.0.mlp.b_in", "blocks.0.mlp.W_out", "blocks.0.mlp.b_out", "unembed.W_U"),
                new ArrayList<>(keys(sd)));
    }

    @Test
    void writtenFilesReadBackEqual() throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("z-first", List.of(1.5, Double.NaN, -2.0));
        root.put("a-second", new Object[] {7, 1L << 40, "text \u00e9", null, true});
        float[] f = {1f, -2.5f, Float.MIN_VALUE, 3e38f, -0f, 6f};
        root.put("w", TorchTensor.ofFloats(new int[] {2, 3}, f));
        root.put("idx", TorchTensor.ofLongs(new int[] {3}, new long[] {5, -1, 1L << 50}));
        root.put("mask", TorchTensor.ofBools(new int[] {2}, new boolean[] {true, false}));
        root.put("scalar", TorchTensor.ofFloats(new int[0], new float[] {Float.NEGATIVE_INFINITY}));
        Path file = tmp.resolve("out.pth");
        TorchWriter.write(file, root);
        Map<?, ?> back = (Map<?, ?>) TorchFile.read(file);
        assertEquals(List.of("z-first", "a-second", "w", "idx", "mask", "scalar"), new ArrayList<>(keys(back)));
        List<?> l = (List<?>) back.get("z-first");
        assertEquals(1.5, l.get(0));
        assertTrue(Double.isNaN((Double) l.get(1)));
        Object[] t = (Object[]) back.get("a-second");
        assertEquals(7, ((Number) t[0]).intValue());
        assertEquals(1L << 40, ((Number) t[1]).longValue());
        assertEquals("text \u00e9", t[2]);
        assertNull(t[3]);
        assertEquals(true, t[4]);
        TorchTensor w = (TorchTensor) back.get("w");
        assertArrayEquals(new int[] {2, 3}, w.shape());
        assertArrayEquals(f, w.floats());
        assertArrayEquals(new long[] {5, -1, 1L << 50}, ((TorchTensor) back.get("idx")).longs());
        assertEquals(Dtype.BOOL, ((TorchTensor) back.get("mask")).dtype());
        assertEquals(Double.NEGATIVE_INFINITY, ((TorchTensor) back.get("scalar")).scalar());
    }

    @Test
    void storageRecordsStartOn64ByteBoundaries() throws IOException {
        Path file = tmp.resolve("aligned.pth");
        Map<String, Object> root = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            root.put("t" + i, TorchTensor.ofFloats(new int[] {i + 1}, new float[i + 1]));
        }
        TorchWriter.write(file, root);
        byte[] raw = Files.readAllBytes(file);
        int checked = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                int at = localDataOffset(raw, e.getName());
                assertEquals(0, at % 64, e.getName() + " starts at " + at);
                assertEquals(ZipEntry.STORED, e.getMethod());
                checked++;
            }
        }
        assertEquals(5 + 3, checked, "data.pkl, byteorder, version and five storages");
    }

    @Test
    void lengthFieldsBeyondThePickleAreErrorsNotAllocations() throws IOException {
        // PROTO 2, BINUNICODE with a length of 2^31 - 1 and nothing after it.
        byte[] pickle = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', '.'};
        Path file = zipWith(pickle);
        UserError e = assertThrows(UserError.class, () -> TorchFile.read(file));
        assertTrue(e.getMessage().contains("runs past the end of the pickle"), e.getMessage());
    }

    @Test
    void malformedPicklesAreOneLineErrors() throws IOException {
        // SETITEMS on a list: a shape the library would cast and fail on.
        byte[] pickle = {(byte) 0x80, 2, ']', '(', 'K', 1, 'K', 2, 'u', '.'};
        UserError e = assertThrows(UserError.class, () -> TorchFile.read(zipWith(pickle)));
        assertTrue(e.getMessage().contains("data.pkl"), e.getMessage());
        byte[] stack = {(byte) 0x80, 2, 't', '.'};
        assertInstanceOf(UserError.class, assertThrows(RuntimeException.class, () -> TorchFile.read(zipWith(stack))));
    }

    private Path zipWith(byte[] pickle) throws IOException {
        return HandMadeTorchFiles.write(tmp.resolve("hand" + System.nanoTime() + ".pth"), pickle);
    }

    /** Offset of an entry's data in the file, from its local header. */
    private static int localDataOffset(byte[] raw, String name) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i + 30 + n.length <= raw.length; i++) {
            if (raw[i] == 'P' && raw[i + 1] == 'K' && raw[i + 2] == 3 && raw[i + 3] == 4) {
                int nameLen = (raw[i + 26] & 0xff) | (raw[i + 27] & 0xff) << 8;
                int extraLen = (raw[i + 28] & 0xff) | (raw[i + 29] & 0xff) << 8;
                if (nameLen == n.length && java.util.Arrays.equals(java.util.Arrays.copyOfRange(raw, i + 30,
                        i + 30 + nameLen), n)) {
                    return i + 30 + nameLen + extraLen;
                }
            }
        }
        throw new AssertionError("no local header for " + name);
    }

    private static List<Object> keys(Map<?, ?> m) {
        return new ArrayList<>(m.keySet());
    }
}
