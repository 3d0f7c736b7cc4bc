package io.jgrok.device;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The emulated device ({@code --device emulated}): the kernels of src/main/cuda/ compiled for the host by
 * {@code make emulator} and run through JNI, each CUDA thread a fiber, so that kernels are proven on machines
 * without a GPU (src/main/cuda/README.md). It exists to verify, not to be fast.
 *
 * <p>Semantics as on a GPU, with more checking: memory is host memory poisoned with 0xFF bytes when allocated
 * (NaN as float); launches run synchronously, so a kernel fault (divergent barrier, bad shuffle, {@code __trap})
 * throws at the launch; events are host timestamps; capture records the operations and replay re-runs them, checking
 * pointer arguments against the live allocations again. After a fault the device stays usable (a GPU's would not).
 */
public final class EmulatedDevice implements Device {
    private final long handle;
    private final KernelManifest kernels;
    private final String description;
    private final Allocations allocations = new Allocations();
    private List<Runnable> capturing;
    private boolean closed;

    private EmulatedDevice(long handle, Path library) {
        this.handle = handle;
        this.kernels = KernelManifest.parse(EmulatorNative.kernelManifest(handle), library.toString());
        this.description = "emulated device (" + EmulatorNative.describe(handle) + "), " + kernels.names().size()
                + " kernels from " + library;
    }

    /** Opens the emulated device with one host thread per available core. */
    public static EmulatedDevice open() {
        return open(0);
    }

    /** Opens the emulated device with {@code workers} host threads running blocks (0: one per core). */
    public static EmulatedDevice open(int workers) {
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0, got " + workers);
        }
        Path library = EmulatorLibrary.load();
        return new EmulatedDevice(EmulatorNative.open(library.toString(), workers), library);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public DevicePtr alloc(long bytes) {
        requireOpen();
        requireNotCapturing("alloc");
        if (bytes <= 0) {
            throw new IllegalArgumentException("alloc of " + bytes + " bytes");
        }
        long address = EmulatorNative.alloc(bytes);
        if (address == 0) {
            throw new DeviceException("out of memory on the emulated device allocating " + bytes + " bytes");
        }
        allocations.add(address, bytes);
        return new DevicePtr(address, bytes);
    }

    @Override
    public void free(DevicePtr ptr) {
        requireOpen();
        requireNotCapturing("free");
        allocations.remove(ptr);
        EmulatorNative.free(ptr.address());
    }

    @Override
    public void memset(DevicePtr dst, int value, long bytes) {
        requireOpen();
        if (value < -128 || value > 255) {
            throw new IllegalArgumentException("memset value must be a byte (-128..255), got " + value);
        }
        allocations.requireRange(dst, bytes, "memset");
        run(() -> {
            allocations.requireRange(dst, bytes, "memset");
            EmulatorNative.memset(dst.address(), value, bytes);
        });
    }

    @Override
    public void copyToDevice(DevicePtr dst, float[] src, int srcOffset, int count) {
        checkHostCopy("copyToDevice", dst, 4L * count, src.length, srcOffset, count);
        EmulatorNative.copyFromFloats(dst.address(), src, srcOffset, count);
    }

    @Override
    public void copyToDevice(DevicePtr dst, int[] src, int srcOffset, int count) {
        checkHostCopy("copyToDevice", dst, 4L * count, src.length, srcOffset, count);
        EmulatorNative.copyFromInts(dst.address(), src, srcOffset, count);
    }

    @Override
    public void copyToDevice(DevicePtr dst, double[] src, int srcOffset, int count) {
        checkHostCopy("copyToDevice", dst, 8L * count, src.length, srcOffset, count);
        EmulatorNative.copyFromDoubles(dst.address(), src, srcOffset, count);
    }

    @Override
    public void copyToHost(float[] dst, int dstOffset, DevicePtr src, int count) {
        checkHostCopy("copyToHost", src, 4L * count, dst.length, dstOffset, count);
        EmulatorNative.copyToFloats(dst, dstOffset, src.address(), count);
    }

    @Override
    public void copyToHost(int[] dst, int dstOffset, DevicePtr src, int count) {
        checkHostCopy("copyToHost", src, 4L * count, dst.length, dstOffset, count);
        EmulatorNative.copyToInts(dst, dstOffset, src.address(), count);
    }

    @Override
    public void copyToHost(double[] dst, int dstOffset, DevicePtr src, int count) {
        checkHostCopy("copyToHost", src, 8L * count, dst.length, dstOffset, count);
        EmulatorNative.copyToDoubles(dst, dstOffset, src.address(), count);
    }

    @Override
    public void copy(DevicePtr dst, DevicePtr src, long bytes) {
        requireOpen();
        allocations.requireRange(dst, bytes, "copy (destination)");
        allocations.requireRange(src, bytes, "copy (source)");
        run(() -> {
            allocations.requireRange(dst, bytes, "copy (destination)");
            allocations.requireRange(src, bytes, "copy (source)");
            EmulatorNative.copy(dst.address(), src.address(), bytes);
        });
    }

    @Override
    public boolean hasKernel(String name) {
        return kernels.has(name);
    }

    @Override
    public List<String> kernelNames() {
        return kernels.names();
    }

    @Override
    public KernelSignature signature(String name) {
        return kernels.get(name);
    }

    @Override
    public LaunchBounds launchBounds(String name) {
        return kernels.bounds(name);
    }

    @Override
    public void launch(String name, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args) {
        requireOpen();
        KernelSignature signature = kernels.get(name);
        signature.check(args);
        LaunchLimits.check(name, grid, block, dynamicSharedBytes);
        kernels.bounds(name).check(name, block);
        List<KernelArgs.Arg> list = args.list();
        long[] bits = new long[list.size()];
        boolean[] pointer = new boolean[list.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = list.get(i).bits();
            pointer[i] = list.get(i).type() == KernelArgs.Type.PTR;
        }
        int index = kernels.indexOf(name);
        Runnable checkPointers = () -> {
            for (int i = 0; i < bits.length; i++) {
                if (pointer[i]) {
                    allocations.requirePointerArgument(bits[i], name, i);
                }
            }
        };
        checkPointers.run();
        run(() -> {
            checkPointers.run();  // again at replay: a captured pointer may have been freed since
            EmulatorNative.launch(handle, index, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    dynamicSharedBytes, bits);
        });
    }

    @Override
    public void synchronize() {
        requireOpen();
        requireNotCapturing("synchronize");
    }

    @Override
    public Event createEvent() {
        requireOpen();
        return new HostEvent();
    }

    @Override
    public void record(Event event) {
        requireOpen();
        HostEvent e = hostEvent(event);
        run(() -> e.nanos = System.nanoTime());
    }

    @Override
    public float elapsedMillis(Event start, Event end) {
        HostEvent s = hostEvent(start);
        HostEvent e = hostEvent(end);
        if (s.nanos < 0 || e.nanos < 0) {
            throw new DeviceException("elapsedMillis: both events must have been recorded");
        }
        return (e.nanos - s.nanos) / 1e6f;
    }

    @Override
    public void beginCapture() {
        requireOpen();
        requireNotCapturing("beginCapture");
        capturing = new ArrayList<>();
    }

    @Override
    public Graph endCapture() {
        requireOpen();
        if (capturing == null) {
            throw new DeviceException("endCapture without beginCapture");
        }
        RecordedGraph graph = new RecordedGraph(List.copyOf(capturing));
        capturing = null;
        return graph;
    }

    @Override
    public void replay(Graph graph) {
        requireOpen();
        requireNotCapturing("replay");
        if (!(graph instanceof RecordedGraph g) || g.closed) {
            throw new DeviceException("replay of a graph that is closed or from another device");
        }
        for (Runnable op : g.ops) {
            op.run();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (long address : allocations.addresses()) {
            EmulatorNative.free(address);
        }
        EmulatorNative.close(handle);
    }

    /** Runs an operation now, or records it while capturing. */
    private void run(Runnable op) {
        if (capturing != null) {
            capturing.add(op);
        } else {
            op.run();
        }
    }

    private void checkHostCopy(String operation, DevicePtr ptr, long bytes, int arrayLength, int offset, int count) {
        requireOpen();
        requireNotCapturing(operation);
        if (offset < 0 || count < 0 || (long) offset + count > arrayLength) {
            throw new IndexOutOfBoundsException(operation + ": elements " + offset + ".." + ((long) offset + count)
                    + " of an array of " + arrayLength);
        }
        allocations.requireRange(ptr, bytes, operation);
    }

    private void requireNotCapturing(String operation) {
        if (capturing != null) {
            throw new DeviceException(operation + " is not allowed while capturing a graph");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new DeviceException("the emulated device is closed");
        }
    }

    private static HostEvent hostEvent(Event event) {
        if (!(event instanceof HostEvent e)) {
            throw new DeviceException("an event of another device");
        }
        return e;
    }

    private static final class HostEvent implements Event {
        private long nanos = -1;
    }

    private static final class RecordedGraph implements Graph {
        private final List<Runnable> ops;
        private boolean closed;

        RecordedGraph(List<Runnable> ops) {
            this.ops = ops;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
