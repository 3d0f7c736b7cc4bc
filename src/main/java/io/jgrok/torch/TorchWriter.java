package io.jgrok.torch;

import io.jgrok.io.AtomicFiles;
import net.razorvine.pickle.IObjectDeconstructor;
import net.razorvine.pickle.Pickler;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a file that {@code torch.load} reads, in the layout {@code torch.save} uses: a zip archive of stored
 * (uncompressed) entries under {@code archive/}: {@code data.pkl} (pickle protocol 2, written by net.razorvine's
 * pickler), {@code byteorder}, one raw little-endian record {@code data/<i>} per tensor, each starting on a
 * 64-byte boundary as torch aligns them, and {@code version}.
 *
 * <p>The object may hold {@link java.util.Map}s (written as dicts, in iteration order), lists, {@code Object[]}
 * (tuples), strings, Integer/Long, Double, Boolean, null and {@link TorchTensor}s. A tensor is pickled as torch
 * pickles one: {@code torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}, its storage
 * as the persistent id {@code ('storage', torch.FloatStorage, '<i>', 'cpu', numel)}. Only classes that
 * {@code torch.load(..., weights_only=True)} accepts appear.
 */
public final class TorchWriter {
    static final String PREFIX = "archive/";
    private static final int ALIGN = 64;
    /** Extra-field id torch uses for its alignment padding ("FB"). */
    private static final int PAD_ID = 0x4246;
    /** A fixed entry time (2000-01-01), so that the same content gives the same file. */
    private static final long ENTRY_TIME = 946_684_800_000L;

    /** A tensor's storage while pickling: the persistent id names it by its index. */
    private record StorageRef(String key, TorchTensor tensor) {
    }

    /** Pickled as the bare global {@code torch.<Type>Storage}. */
    private record StorageClass(Dtype dtype) {
    }

    /** Pickled as {@code collections.OrderedDict([])}, an empty OrderedDict instance. */
    private static final class EmptyOrderedDict {
    }

    private static final EmptyOrderedDict NO_HOOKS = new EmptyOrderedDict();

    static {
        // The library's deconstructor registry is JVM-wide; these classes are private to this writer.
        Pickler.registerCustomDeconstructor(EmptyOrderedDict.class, deconstructor("collections", "OrderedDict",
                o -> new Object[] {new ArrayList<>()}));
        Pickler.registerCustomDeconstructor(TensorCall.class, deconstructor("torch._utils", "_rebuild_tensor_v2",
                o -> ((TensorCall) o).args));
    }

    /** One tensor's rebuild call, with its storage reference among the arguments. */
    private record TensorCall(Object[] args) {
    }

    private TorchWriter() {
    }

    /** Writes {@code root} to {@code file} atomically. */
    public static void write(Path file, Object root) throws IOException {
        AtomicFiles.write(file, out -> write(out, root));
    }

    static void write(OutputStream target, Object root) throws IOException {
        List<StorageRef> storages = new ArrayList<>();
        TorchPickler pickler = new TorchPickler(storages);
        byte[] pickle = pickler.dumps(pickler.prepare(root));
        CountingStream counter = new CountingStream(target);
        ZipOutputStream zip = new ZipOutputStream(counter);
        put(zip, counter, "data.pkl", pickle);
        put(zip, counter, "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (StorageRef s : storages) {
            put(zip, counter, "data/" + s.key(), s.tensor().bytes());
        }
        put(zip, counter, "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zip.finish();
        zip.flush();
    }

    /** One stored entry whose data starts on a multiple of {@link #ALIGN} bytes in the file. */
    private static void put(ZipOutputStream zip, CountingStream counter, String name, byte[] data) throws IOException {
        String full = PREFIX + name;
        int nameLength = full.getBytes(StandardCharsets.UTF_8).length;
        long headerEnd = counter.count + 30 + nameLength + 4;
        int pad = (int) ((ALIGN - headerEnd % ALIGN) % ALIGN);
        byte[] extra = ByteBuffer.allocate(4 + pad).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) PAD_ID).putShort((short) pad).array();
        ZipEntry e = new ZipEntry(full);
        e.setMethod(ZipEntry.STORED);
        e.setTime(ENTRY_TIME);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setExtra(extra);
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static IObjectDeconstructor deconstructor(String module, String name,
                                                      java.util.function.Function<Object, Object[]> args) {
        return new IObjectDeconstructor() {
            @Override
            public String getModule() {
                return module;
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public Object[] deconstruct(Object obj) {
                return args.apply(obj);
            }
        };
    }

    /**
     * The library's pickler with torch's persistent ids. Tensors are first replaced by their rebuild calls
     * ({@link #prepare}), since the storage-type global's name depends on the tensor's dtype.
     */
    private static final class TorchPickler extends Pickler {
        private final List<StorageRef> storages;

        TorchPickler(List<StorageRef> storages) {
            super(true, false);  // memo by identity: distinct equal values stay distinct
            this.storages = storages;
        }

        Object prepare(Object o) {
            if (o instanceof TorchTensor t) {
                StorageRef ref = new StorageRef(Integer.toString(storages.size()), t);
                storages.add(ref);
                long[] stride = t.contiguousStrides();
                Object[] size = new Object[t.rank()];
                Object[] strides = new Object[t.rank()];
                for (int i = 0; i < size.length; i++) {
                    size[i] = t.dim(i);
                    strides[i] = stride[i];
                }
                return new TensorCall(new Object[] {ref, 0, size, strides, false, NO_HOOKS});
            }
            if (o instanceof java.util.Map<?, ?> m) {
                java.util.Map<Object, Object> out = new java.util.LinkedHashMap<>();
                for (java.util.Map.Entry<?, ?> e : m.entrySet()) {
                    out.put(e.getKey(), prepare(e.getValue()));
                }
                return out;
            }
            if (o instanceof List<?> l) {
                List<Object> out = new ArrayList<>(l.size());
                for (Object x : l) {
                    out.add(prepare(x));
                }
                return out;
            }
            if (o instanceof Object[] a) {
                Object[] out = new Object[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = prepare(a[i]);
                }
                return out;
            }
            if (o == null || o instanceof String || o instanceof Integer || o instanceof Long
                    || o instanceof Double || o instanceof Boolean) {
                return o;
            }
            throw new IllegalArgumentException("cannot write a " + o.getClass().getName() + " into a torch file");
        }

        @Override
        protected Object persistentId(Object obj) {
            if (obj instanceof StorageRef s) {
                return new Object[] {"storage", new StorageClass(s.tensor().dtype()), s.key(), "cpu",
                    s.tensor().numel()};
            }
            return null;
        }

        @Override
        public void save(Object o) throws IOException {
            if (o instanceof StorageClass c) {
                // The bare global torch.<Type>Storage (no call): what torch writes into a storage's id.
                out.write(net.razorvine.pickle.Opcodes.GLOBAL);
                out.write(("torch\n" + c.dtype().storageClass + "\n").getBytes(StandardCharsets.US_ASCII));
                return;
            }
            super.save(o);
        }
    }

    /** Counts the bytes written through it (the zip writer does not say where it is). */
    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
