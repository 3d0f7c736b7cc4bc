package io.jgrok.torch;

import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code data.pkl} of a PyTorch zip checkpoint with net.razorvine's unpickler, changed where a checkpoint
 * needs it:
 * <ul>
 *   <li>Only the Python classes torch checkpoints of this model use are accepted ({@link #GLOBALS}); any other is
 *       an error naming the class. (The library would build a generic map for an unknown class, and its constructor
 *       registry is static, shared by the whole JVM; this class keeps its own.)</li>
 *   <li>Dicts keep their key order ({@code SETITEMS} in the library collects a batch in a HashMap first).</li>
 *   <li>{@code BUILD} sets the attributes of TransformerLens's config, and ignores those torch adds to a state dict
 *       ({@code _metadata}).</li>
 *   <li>Storages arrive as persistent ids {@code ('storage', torch.FloatStorage, key, location, numel)}; tensors
 *       as {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}, whose view is copied out of
 *       the storage record here.</li>
 *   <li>A length field larger than what is left of the pickle (a damaged file) is an error before anything is
 *       allocated.</li>
 *   <li>Memory is bounded: every storage record read and every tensor built is charged, before it is allocated,
 *       against a budget the caller sets from the file's size ({@link TorchFile}), so a view of 2^28 elements of
 *       a one-element storage, one storage viewed a thousand times or a deflated record of zeros is refused
 *       instead of filling the heap.</li>
 *   <li>The result is a tree (shared parts allowed) of bounded height: containers that hold themselves or nest
 *       deeper than {@link #MAX_HEIGHT} are refused, so that printing or comparing what was read terminates.</li>
 *   <li>Whatever else goes wrong in the library on a malformed pickle (a number that does not parse, a call of
 *       None, a stack that runs out) is a {@link PickleException} too.</li>
 * </ul>
 * Not thread-safe; one instance per file.
 */
final class TorchUnpickler extends Unpickler {
    /** Reads storage record {@code key}: {@code numel} elements of {@code dtype}, little-endian. */
    interface Storages {
        byte[] read(String key, Dtype dtype, long numel) throws IOException;
    }

    /** What a persistent id resolved to: one storage record and its element type. */
    record Storage(String key, Dtype dtype, long numel) {
    }

    /** The value of a {@code torch.FloatStorage}-like global: names a storage's element type. */
    record StorageType(Dtype dtype) {
    }

    /** Names of the globals accepted, for error messages. */
    static final String GLOBALS = "collections.OrderedDict, torch._utils._rebuild_tensor_v2, "
            + "torch._utils._rebuild_parameter, torch.<Type>Storage, torch.<dtype>, torch.device and "
            + "transformer_lens's HookedTransformerConfig";

    /** Deepest nesting of containers accepted; a torch checkpoint nests about five deep. */
    static final int MAX_HEIGHT = 100;

    private final Storages storages;
    private final Map<String, byte[]> storageCache = new LinkedHashMap<>();
    private final long budget;
    private long spent;
    private ByteArrayInputStream in;

    /** @param budgetBytes the most bytes of storage records and tensors this file may make the reader allocate */
    TorchUnpickler(Storages storages, long budgetBytes) {
        this.storages = storages;
        this.budget = budgetBytes;
    }

    /** Unpickles {@code pickle}; damaged or unsupported content is a {@link PickleException} saying what. */
    Object read(byte[] pickle) throws IOException {
        in = new ByteArrayInputStream(pickle);
        Object root;
        try {
            root = load(in);
        } catch (PickleException | io.jgrok.UserError e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // The library casts, indexes, parses and calls what the pickle gives it: a malformed pickle ends in
            // any of these (a memo key that is no number, REDUCE on None, hashing a list that holds itself, ...).
            throw new PickleException("malformed pickle (" + e.getClass().getSimpleName() + ")");
        } finally {
            storageCache.clear();
        }
        checkHeight(root);
        return root;
    }

    /** Charges {@code bytes} about to be allocated for {@code what} against the budget. */
    private void charge(long bytes, String what) {
        if (bytes > budget - spent) {
            throw new PickleException(what + " needs " + bytes + " bytes, which would take the reader to more than "
                    + "the " + (budget >> 20) + " MiB a file of this size may need (" + TorchFile.BUDGET_RULE
                    + "); a damaged or hostile file");
        }
        spent += bytes;
    }

    /**
     * Refuses containers that hold themselves and nesting deeper than {@link #MAX_HEIGHT}: the longest chain of
     * containers (a shared part counted once, so the walk is linear in the size of what was read).
     */
    private static void checkHeight(Object root) {
        java.util.IdentityHashMap<Object, Integer> height = new java.util.IdentityHashMap<>();
        java.util.ArrayDeque<Object> path = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<java.util.Iterator<?>> pending = new java.util.ArrayDeque<>();
        final int open = -1;  // on the current path: meeting it again is a cycle
        if (children(root) == null) {
            return;
        }
        height.put(root, open);
        path.push(root);
        pending.push(children(root).iterator());
        while (!path.isEmpty()) {
            java.util.Iterator<?> it = pending.peek();
            if (it.hasNext()) {
                Object child = it.next();
                List<Object> grandchildren = children(child);
                if (grandchildren == null) {
                    continue;
                }
                Integer h = height.get(child);
                if (h != null && h == open) {
                    throw new PickleException("malformed pickle: a " + typeName(child) + " holds itself");
                }
                if (h == null) {
                    height.put(child, open);
                    path.push(child);
                    pending.push(grandchildren.iterator());
                }
                continue;
            }
            Object done = path.pop();
            pending.pop();
            int h = 1;
            for (Object child : children(done)) {
                Integer ch = height.get(child);
                if (ch != null) {
                    h = Math.max(h, ch + 1);
                }
            }
            if (h > MAX_HEIGHT) {
                throw new PickleException("containers nested more than " + MAX_HEIGHT + " deep");
            }
            height.put(done, h);
        }
    }

    /** What a container holds (a dict's keys and values), or null for a value that holds nothing. */
    private static List<Object> children(Object o) {
        if (o instanceof Map<?, ?> m) {
            List<Object> all = new ArrayList<>(2 * m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                all.add(e.getKey());
                all.add(e.getValue());
            }
            return all;
        }
        if (o instanceof java.util.Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (o instanceof Object[] a) {
            return java.util.Arrays.asList(a);
        }
        if (o instanceof PyObject p) {
            return new ArrayList<>(p.fields().values());
        }
        return null;
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(global(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                stack.add(global(String.valueOf(module), String.valueOf(name)));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST, Opcodes.OBJ, Opcodes.PERSID, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 ->
                    throw new PickleException("uses pickle opcode 0x" + Integer.toHexString(key)
                            + ", which torch.save does not write");
            case Opcodes.EMPTY_DICT -> {
                stack.add(new LinkedHashMap<>());
                return NO_RETURN_VALUE;
            }
            case Opcodes.DICT -> {
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> map = new LinkedHashMap<>();
                putPairs(map, items);
                stack.add(map);
                return NO_RETURN_VALUE;
            }
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                putPairs(dictOnTop(), items);
                return NO_RETURN_VALUE;
            }
            case Opcodes.BUILD -> {
                build(stack.pop(), stack.peek());
                return NO_RETURN_VALUE;
            }
            case Opcodes.BINUNICODE, Opcodes.BINBYTES, Opcodes.BINSTRING, Opcodes.LONG4 -> checkLength(4);
            case Opcodes.BINUNICODE8, Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> checkLength(8);
            default -> {
                // Everything else (numbers, strings, tuples, lists, memo, REDUCE, NEWOBJ, ...) as the library does.
            }
        }
        return super.dispatch(key);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictOnTop() {
        Object top = stack.peek();
        if (!(top instanceof Map)) {
            throw new PickleException("SETITEMS on a " + typeName(top) + ", not a dict");
        }
        return (Map<Object, Object>) top;
    }

    private static void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new PickleException("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    /** Refuses a length field that runs past the end of the pickle (a truncated or damaged file). */
    private void checkLength(int bytes) throws IOException {
        in.mark(bytes);
        byte[] field = in.readNBytes(bytes);
        in.reset();
        if (field.length < bytes) {
            throw new PickleException("pickle ends inside a length field");
        }
        long length = bytes == 4 ? PickleUtils.bytes_to_integer(field) : PickleUtils.bytes_to_long(field, 0);
        if (length < 0 || length > in.available() - bytes) {
            throw new PickleException("a length field (" + length + ") runs past the end of the pickle");
        }
    }

    private void build(Object state, Object target) {
        if (target instanceof PyObject o && state instanceof Map<?, ?> fields) {
            o.setFields(fields);
        } else if (target instanceof Map<?, ?>) {
            // A state dict's attributes (torch's _metadata: module versions); not weights.
        } else {
            throw new PickleException("cannot set the state of a " + typeName(target));
        }
    }

    private Object global(String module, String name) {
        if (module.equals("collections") && name.equals("OrderedDict")) {
            return (IObjectConstructor) TorchUnpickler::orderedDict;
        }
        if (module.equals("torch._utils") && name.equals("_rebuild_tensor_v2")) {
            return (IObjectConstructor) this::rebuildTensor;
        }
        if (module.equals("torch._utils") && name.equals("_rebuild_parameter")) {
            return (IObjectConstructor) args -> {
                if (args.length < 1 || !(args[0] instanceof TorchTensor)) {
                    throw new PickleException("_rebuild_parameter without a tensor");
                }
                return args[0];
            };
        }
        if (module.equals("torch")) {
            Dtype storage = Dtype.ofStorageClass(name);
            if (storage != null) {
                return new StorageType(storage);
            }
            Dtype dtype = Dtype.ofTorchName(name);
            if (dtype != null) {
                return dtype;
            }
            if (name.equals("device")) {
                return (IObjectConstructor) args -> {
                    StringBuilder sb = new StringBuilder();
                    for (Object a : args) {
                        sb.append(sb.length() == 0 ? "" : ":").append(a);
                    }
                    return sb.toString();
                };
            }
        }
        if ((module.equals("transformer_lens") || module.startsWith("transformer_lens."))
                && name.equals("HookedTransformerConfig")) {
            String className = module + "." + name;
            return (IObjectConstructor) args -> new PyObject(className);
        }
        throw new PickleException("refers to Python class " + module + "." + name + ", which jgrok does not read "
                + "(it reads only " + GLOBALS + ")");
    }

    private static Object orderedDict(Object[] args) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (args.length == 1 && args[0] instanceof List<?> pairs) {
            for (Object pair : pairs) {
                if (!(pair instanceof Object[] kv) || kv.length != 2) {
                    throw new PickleException("OrderedDict argument is not a list of pairs");
                }
                map.put(kv[0], kv[1]);
            }
        } else if (args.length != 0) {
            throw new PickleException("OrderedDict with " + args.length + " arguments");
        }
        return map;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length != 5 || !"storage".equals(t[0])) {
            throw new PickleException("persistent id " + describe(pid) + " is not a torch storage reference");
        }
        if (!(t[1] instanceof StorageType type)) {
            throw new PickleException("storage of unknown type " + describe(t[1]));
        }
        if (!(t[2] instanceof String key) || !(t[4] instanceof Number numel) || numel.longValue() < 0) {
            throw new PickleException("malformed storage reference " + describe(pid));
        }
        return new Storage(key, type.dtype(), numel.longValue());
    }

    /**
     * {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}:
     * copies the view (offset and strides in elements) out of the storage record.
     */
    private Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof Storage s) || !(args[1] instanceof Number offsetN)) {
            throw new PickleException("_rebuild_tensor_v2 called with unexpected arguments");
        }
        int[] shape = ints(args[2], "size");
        long[] stride = longs(args[3], "stride");
        if (stride.length != shape.length) {
            throw new PickleException("tensor has " + shape.length + " sizes but " + stride.length + " strides");
        }
        long offset = offsetN.longValue();
        long numel = TorchTensor.numel(shape);
        charge(Math.multiplyExact(numel, s.dtype().size), "a tensor of shape " + java.util.Arrays.toString(shape));
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (stride[i] < 0) {
                throw new PickleException("negative stride");
            }
            if (shape[i] > 0) {
                last += (shape[i] - 1) * stride[i];
            }
        }
        if (offset < 0 || (numel > 0 && last >= s.numel())) {
            throw new PickleException("tensor view runs past its storage (" + s.numel() + " elements)");
        }
        byte[] storage = storageBytes(s);
        int size = s.dtype().size;
        byte[] out = new byte[Math.toIntExact(numel * size)];
        int[] index = new int[shape.length];
        for (long n = 0; n < numel; n++) {
            long at = offset;
            for (int i = 0; i < shape.length; i++) {
                at += index[i] * stride[i];
            }
            System.arraycopy(storage, (int) (at * size), out, (int) (n * size), size);
            for (int i = shape.length - 1; i >= 0; i--) {
                if (++index[i] < shape[i]) {
                    break;
                }
                index[i] = 0;
            }
        }
        return new TorchTensor(s.dtype(), shape, out);
    }

    private byte[] storageBytes(Storage s) {
        byte[] cached = storageCache.get(s.key());
        if (cached != null) {
            return cached;
        }
        charge(Math.multiplyExact(s.numel(), s.dtype().size), "storage record " + s.key() + " (" + s.numel() + " "
                + s.dtype() + " elements)");
        byte[] bytes;
        try {
            bytes = storages.read(s.key(), s.dtype(), s.numel());
        } catch (IOException e) {
            throw new PickleException("storage " + s.key() + ": " + e.getMessage(), e);
        }
        // Views of one storage usually follow each other (e.g. an optimizer's flat buffer); keep only a few.
        if (storageCache.size() >= 4) {
            storageCache.remove(storageCache.keySet().iterator().next());
        }
        storageCache.put(s.key(), bytes);
        return bytes;
    }

    private static int[] ints(Object o, String what) {
        long[] l = longs(o, what);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] > Integer.MAX_VALUE) {
                throw new PickleException("tensor " + what + " " + l[i] + " is out of range");
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    private static long[] longs(Object o, String what) {
        List<Object> items = new ArrayList<>();
        if (o instanceof Object[] a) {
            items.addAll(List.of(a));
        } else if (o instanceof List<?> l) {
            items.addAll(l);
        } else {
            throw new PickleException("tensor " + what + " is a " + typeName(o) + ", not a tuple");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Number n) || items.get(i) instanceof Double) {
                throw new PickleException("tensor " + what + " holds a non-integer");
            }
            out[i] = n.longValue();
        }
        return out;
    }

    private static String describe(Object o) {
        if (o instanceof Object[] a) {
            return java.util.Arrays.deepToString(a);
        }
        return String.valueOf(o);
    }

    static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }
}
