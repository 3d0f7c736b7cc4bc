package io.jgrok.device;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventRecordWithFlags;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuFuncGetAttribute;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUevent_record_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA device ({@code --device cuda}): the CUDA driver API through JCuda on GPU 0. The kernels are the fatbin
 * {@code kernels/jgrok.fatbin} packed into the jar by {@code make kernels} + {@code make jar}, with their
 * signatures in {@code kernels/jgrok.kernels}.
 *
 * <p>It uses the device's primary context (cuDevicePrimaryCtxRetain + cuCtxSetCurrent: the context the runtime
 * API and other libraries share; cuCtxCreate changed its signature in CUDA 13), JCuda exceptions (every failed call
 * throws, and is turned into a one-line {@link DeviceException} by {@link CudaErrors}), one blocking stream for all
 * work, and stream capture in thread-local mode (a capture on this thread does not forbid other threads' unrelated
 * CUDA calls, e.g. another device's or cuFFT's setup, as global mode would). Host copies are synchronous and ordered
 * after the stream's work.
 *
 * <p>Kernel faults (an illegal address, a misaligned access, a {@code __trap}) are "sticky": the GPU reports them at
 * the next call that waits for it, and the context stays unusable. The first such error is reported with its own
 * sentence ({@link CudaErrors#sticky}); after it every call fails at once with a message naming that first fault,
 * and {@link CudaProbe} says the GPU is no longer usable in this process. With {@link Devices#syncEveryLaunch()}
 * every launch is followed by a synchronisation, so the fault names its kernel.
 */
public final class CudaDevice implements Device {
    static final String FATBIN_RESOURCE = "/kernels/jgrok.fatbin";
    static final String MANIFEST_RESOURCE = "/kernels/jgrok.kernels";
    /** Compute capabilities with SASS in the fatbin (see Makefile CUDA_ARCHS); compute_90 PTX covers newer ones. */
    static final int[] SASS_ARCHS = {80, 86, 89, 90};

    private final CUdevice device;
    private final CUcontext context;
    private final CUmodule module;
    private final CUstream stream;
    private final KernelManifest kernels;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, Integer> dynamicSharedOptIn = new HashMap<>();
    /** Each kernel's static shared memory (its __shared__ arrays), read from the loaded function once. */
    private final Map<String, Integer> staticShared = new HashMap<>();
    /** Each kernel's most threads per block on this GPU (CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK), read once. */
    private final Map<String, Integer> maxThreadsPerBlock = new HashMap<>();
    private final Allocations allocations = new Allocations();
    private final TreeMap<Long, DevicePointer> bases = new TreeMap<>();
    private final List<CUevent> events = new ArrayList<>();
    private final String description;
    private final int fatbinBytes;
    private final boolean syncEveryLaunch = Devices.syncEveryLaunch();
    private Thread owner;
    private boolean capturing;
    private boolean closed;
    /** The sentence of the first sticky error, after which the context is unusable; null while it is usable. */
    private String poisoned;

    private CudaDevice(CUdevice device, CUcontext context, CUmodule module, CUstream stream, KernelManifest kernels,
                       String description, int fatbinBytes) {
        this.fatbinBytes = fatbinBytes;
        this.device = device;
        this.context = context;
        this.module = module;
        this.stream = stream;
        this.kernels = kernels;
        this.description = description;
        this.owner = Thread.currentThread();
    }

    /** Opens GPU 0 and loads the kernels; a one-line {@link DeviceException} says why when it cannot. */
    public static CudaDevice open() {
        String unusable = CudaProbe.unusableReason();
        if (unusable != null) {
            throw new DeviceException(unusable);
        }
        byte[] fatbin = resource(FATBIN_RESOURCE);
        byte[] manifestBytes = resource(MANIFEST_RESOURCE);
        if (fatbin == null || manifestBytes == null) {
            throw new DeviceException("this build has no CUDA kernels (" + FATBIN_RESOURCE.substring(1) + "): run "
                    + "`make kernels` (needs nvcc) and then `make jar`");
        }
        KernelManifest manifest = KernelManifest.parse(new String(manifestBytes, StandardCharsets.UTF_8),
                MANIFEST_RESOURCE.substring(1));
        initDriver();
        CUdevice device = new CUdevice();
        try {
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) {
                throw new DeviceException("no CUDA GPU is visible: check nvidia-smi and CUDA_VISIBLE_DEVICES, or use "
                        + "--device cpu");
            }
            cuDeviceGet(device, 0);
        } catch (CudaException e) {
            throw CudaErrors.of("cannot open GPU 0", e);
        }
        Info info = Info.of(device);
        if (info.major < 8) {
            throw new DeviceException(info.name + " has compute capability " + info.major + "." + info.minor
                    + "; the kernels need 8.0 or newer (Ampere, Ada, Hopper and later)");
        }
        CUcontext context = new CUcontext();
        CUmodule module = new CUmodule();
        CUstream stream = new StreamHandle();
        try {
            cuDevicePrimaryCtxRetain(context, device);
        } catch (CudaException e) {
            throw CudaErrors.of("cannot create a context on " + info.name, e);
        }
        try {
            cuCtxSetCurrent(context);
        } catch (CudaException e) {
            cuDevicePrimaryCtxRelease(device);
            throw CudaErrors.of("cannot make the context on " + info.name + " current", e);
        }
        try {
            cuModuleLoadData(module, fatbin);
        } catch (CudaException e) {
            cuDevicePrimaryCtxRelease(device);
            throw CudaErrors.of("cannot load kernels/jgrok.fatbin on " + info.name, e,
                    ", driver supports CUDA " + info.driverVersion + ", GPU sm_" + info.major + info.minor
                            + (manifest.compiler().isEmpty() ? "" : ", kernels built by " + manifest.compiler()));
        }
        try {
            cuStreamCreate(stream, CUstream_flags.CU_STREAM_DEFAULT);
        } catch (CudaException e) {
            cuModuleUnload(module);
            cuDevicePrimaryCtxRelease(device);
            throw CudaErrors.of("cannot create a stream on " + info.name, e);
        }
        String description = "CUDA driver " + info.driverVersion + ", " + info.name + " (sm_" + info.major
                + info.minor + ", " + info.multiprocessors + " SMs, "
                + String.format("%.1f GiB", info.totalMemory / (double) (1L << 30)) + "), "
                + FATBIN_RESOURCE.substring(1) + " (" + (fatbin.length / 1024) + " KiB): " + imageFor(info.major,
                info.minor) + ", " + manifest.names().size() + " kernels";
        CudaDevice cuda = new CudaDevice(device, context, module, stream, manifest, description, fatbin.length);
        cuda.resolveKernels();
        return cuda;
    }

    /** Loads JCuda and initialises the driver; throws a one-line DeviceException when there is no driver. */
    static void initDriver() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            throw CudaErrors.libraryMissing(e);
        } catch (CudaException e) {
            throw CudaErrors.of("cannot initialise the CUDA driver", e);
        }
    }

    /** Which code in the fatbin the driver runs on a GPU of this compute capability. */
    static String imageFor(int major, int minor) {
        int cc = 10 * major + minor;
        int best = 0;
        for (int arch : SASS_ARCHS) {
            if (arch / 10 == major && arch <= cc) {
                best = arch;
            }
        }
        return best > 0 ? "sm_" + best + " SASS" : "compute_90 PTX, JIT-compiled by the driver for sm_" + cc;
    }

    private void resolveKernels() {
        for (String name : kernels.names()) {
            CUfunction f = new CUfunction();
            try {
                cuModuleGetFunction(f, module, name);
            } catch (CudaException e) {
                close();
                throw new DeviceException("kernel " + name + " is in kernels/jgrok.kernels but not in "
                        + "kernels/jgrok.fatbin: the two are out of date, rebuild with `make kernels`", e);
            }
            functions.put(name, f);
        }
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * What {@code jgrok gpu-check} reports about the GPU and the loaded kernels. Attributes the driver does not answer
     * are -1. The peaks are computed from the attributes: FP32 = SMs x FP32 lanes per SM (64 on sm_80, 128 on sm_86
     * and newer) x 2 (an FMA) x the boost clock; DRAM = 2 (double data rate) x memory clock x bus width.
     *
     * @param binaryVersion the compute capability of the code the driver loaded for a kernel (e.g. 90: sm_90 SASS;
     *                      100 on an sm_100 GPU: the compute_90 PTX, JIT-compiled)
     * @param ptxVersion    the PTX version that code was compiled from
     */
    public record Properties(String name, int major, int minor, int multiprocessors, long clockKhz,
                             long memoryClockKhz, int memoryBusBits, long l2Bytes, long totalMemory, long freeMemory,
                             String driverCudaVersion, String image, int binaryVersion, int ptxVersion,
                             int fatbinBytes, String compiler, int kernels) {
        /** FP32 lanes per SM by compute capability (the CUDA programming guide's throughput table). */
        public int fp32LanesPerSm() {
            return major == 8 && minor == 0 ? 64 : 128;
        }

        /** Peak FP32 GFLOP/s without tensor cores (FMA = 2 FLOP), or NaN when the clock is unknown. */
        public double peakFp32Gflops() {
            return clockKhz <= 0 || multiprocessors <= 0 ? Double.NaN
                    : multiprocessors * (double) fp32LanesPerSm() * 2 * clockKhz * 1e3 / 1e9;
        }

        /** Peak DRAM GB/s, or NaN when the memory clock or bus width is unknown. */
        public double peakDramGBps() {
            return memoryClockKhz <= 0 || memoryBusBits <= 0 ? Double.NaN
                    : 2.0 * memoryClockKhz * 1e3 * (memoryBusBits / 8.0) / 1e9;
        }
    }

    /** The GPU's and the loaded kernels' properties (see {@link Properties}). */
    public Properties properties() {
        enter("properties");
        Info info = Info.of(device);
        long[] free = {-1};
        long[] total = {-1};
        quietly(() -> cuMemGetInfo(free, total));
        int[] binary = {-1};
        int[] ptx = {-1};
        CUfunction any = functions.values().stream().findFirst().orElse(null);
        if (any != null) {
            quietly(() -> cuFuncGetAttribute(binary, CUfunction_attribute.CU_FUNC_ATTRIBUTE_BINARY_VERSION, any));
            quietly(() -> cuFuncGetAttribute(ptx, CUfunction_attribute.CU_FUNC_ATTRIBUTE_PTX_VERSION, any));
        }
        return new Properties(info.name, info.major, info.minor, info.multiprocessors,
                attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE),
                attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                (int) attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH),
                attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE), info.totalMemory, free[0],
                info.driverVersion, imageFor(info.major, info.minor), binary[0], ptx[0], fatbinBytes,
                kernels.compiler(), kernels.names().size());
    }

    private long attribute(int attribute) {
        int[] v = {-1};
        quietly(() -> cuDeviceGetAttribute(v, attribute, device));
        return v[0];
    }

    @Override
    public DevicePtr alloc(long bytes) {
        enter("alloc");
        if (bytes <= 0) {
            throw new IllegalArgumentException("alloc of " + bytes + " bytes");
        }
        DevicePointer p = new DevicePointer();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            throw fault("alloc", e, ": " + bytes + " bytes requested" + memoryInfo());
        }
        long address = p.address();
        allocations.add(address, bytes);
        bases.put(address, p);
        return new DevicePtr(address, bytes);
    }

    @Override
    public void free(DevicePtr ptr) {
        enter("free");
        allocations.remove(ptr);
        call("free", () -> cuMemFree(bases.remove(ptr.address())));
    }

    @Override
    public void memset(DevicePtr dst, int value, long bytes) {
        enterStreamWork();
        if (value < -128 || value > 255) {
            throw new IllegalArgumentException("memset value must be a byte (-128..255), got " + value);
        }
        allocations.requireRange(dst, bytes, "memset");
        call("memset", () -> cuMemsetD8Async(pointer(dst), (byte) value, bytes, stream));
    }

    @Override
    public void copyToDevice(DevicePtr dst, float[] src, int srcOffset, int count) {
        hostCopy("copyToDevice", dst, 4L * count, src.length, srcOffset, count);
        call("copyToDevice", () -> cuMemcpyHtoD(pointer(dst), Pointer.to(src).withByteOffset(4L * srcOffset),
                4L * count));
    }

    @Override
    public void copyToDevice(DevicePtr dst, int[] src, int srcOffset, int count) {
        hostCopy("copyToDevice", dst, 4L * count, src.length, srcOffset, count);
        call("copyToDevice", () -> cuMemcpyHtoD(pointer(dst), Pointer.to(src).withByteOffset(4L * srcOffset),
                4L * count));
    }

    @Override
    public void copyToDevice(DevicePtr dst, double[] src, int srcOffset, int count) {
        hostCopy("copyToDevice", dst, 8L * count, src.length, srcOffset, count);
        call("copyToDevice", () -> cuMemcpyHtoD(pointer(dst), Pointer.to(src).withByteOffset(8L * srcOffset),
                8L * count));
    }

    @Override
    public void copyToHost(float[] dst, int dstOffset, DevicePtr src, int count) {
        hostCopy("copyToHost", src, 4L * count, dst.length, dstOffset, count);
        call("copyToHost", () -> cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOffset), pointer(src),
                4L * count));
    }

    @Override
    public void copyToHost(int[] dst, int dstOffset, DevicePtr src, int count) {
        hostCopy("copyToHost", src, 4L * count, dst.length, dstOffset, count);
        call("copyToHost", () -> cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * dstOffset), pointer(src),
                4L * count));
    }

    @Override
    public void copyToHost(double[] dst, int dstOffset, DevicePtr src, int count) {
        hostCopy("copyToHost", src, 8L * count, dst.length, dstOffset, count);
        call("copyToHost", () -> cuMemcpyDtoH(Pointer.to(dst).withByteOffset(8L * dstOffset), pointer(src),
                8L * count));
    }

    @Override
    public void copy(DevicePtr dst, DevicePtr src, long bytes) {
        enterStreamWork();
        allocations.requireRange(dst, bytes, "copy (destination)");
        allocations.requireRange(src, bytes, "copy (source)");
        call("copy", () -> cuMemcpyDtoDAsync(pointer(dst), pointer(src), bytes, stream));
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
        enterStreamWork();
        kernels.get(name).check(args);
        LaunchLimits.check(name, grid, block, dynamicSharedBytes);
        kernels.bounds(name).check(name, block);
        List<KernelArgs.Arg> list = args.list();
        Pointer[] values = new Pointer[list.size()];
        for (int i = 0; i < values.length; i++) {
            KernelArgs.Arg a = list.get(i);
            if (a.type() == KernelArgs.Type.PTR) {
                allocations.requirePointerArgument(a.bits(), name, i);
            }
            values[i] = a.size() == 4 ? Pointer.to(new int[] {(int) a.bits()}) : Pointer.to(new long[] {a.bits()});
        }
        CUfunction f = functions.get(name);
        // What the loaded code allows on this GPU: the launch bound, or fewer threads when its registers run out first
        // (a kernel without bounds that needs 128 registers cannot run 1024 threads); the driver's own refusal would
        // only say CUDA_ERROR_INVALID_VALUE.
        int maxThreads = maxThreadsPerBlock.computeIfAbsent(name, n -> {
            int[] threads = new int[1];
            call("query " + n, () -> cuFuncGetAttribute(threads,
                    CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, f));
            return threads[0];
        });
        if (block.count() > maxThreads) {
            throw new DeviceException("kernel " + name + ": block " + block + " has " + block.count() + " threads; its "
                    + "code on this GPU runs at most " + maxThreads + " per block (registers per thread)");
        }
        // Without an opt-in a block may use 48 KiB of static and dynamic shared memory together.
        int staticBytes = staticShared.computeIfAbsent(name, n -> {
            int[] bytes = new int[1];
            call("query " + n, () -> cuFuncGetAttribute(bytes,
                    CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f));
            return bytes[0];
        });
        if (staticBytes + dynamicSharedBytes > LaunchLimits.DEFAULT_DYNAMIC_SHARED_BYTES
                && dynamicSharedOptIn.getOrDefault(name, 0) < dynamicSharedBytes) {
            call("launch " + name, () -> cuFuncSetAttribute(f,
                    CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, dynamicSharedBytes));
            dynamicSharedOptIn.put(name, dynamicSharedBytes);
        }
        String launch = "launch " + name + " grid " + grid + " block " + block;
        call(launch, () -> cuLaunchKernel(f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                dynamicSharedBytes, stream, Pointer.to(values), null));
        if (syncEveryLaunch && !capturing) {
            try {
                cuStreamSynchronize(stream);
            } catch (CudaException e) {
                if (CudaErrors.isSticky(e)) {
                    throw poison(new DeviceException(CudaErrors.stickyAt("kernel " + name + " (grid " + grid
                            + ", block " + block + ")", String.valueOf(e.getMessage()).strip()), e));
                }
                throw fault(launch + " (synchronising after it)", e, "");
            }
        }
    }

    /**
     * The native handle of the device's stream (a CUstream, which is also a cudaStream_t), with the device's context
     * made current on the calling thread, for a CUDA library that enqueues its own work (cuFFT, see {@link Cufft}):
     * that work is then ordered with the launches and copies issued through this device, and may use the addresses
     * of its {@link DevicePtr}s. Not while capturing.
     */
    public long nativeStream() {
        enter("nativeStream");
        return ((StreamHandle) stream).address();
    }

    @Override
    public void synchronize() {
        enter("synchronize");
        call("synchronize", () -> cuStreamSynchronize(stream));
    }

    @Override
    public Event createEvent() {
        enter("createEvent");
        CUevent e = new CUevent();
        call("createEvent", () -> cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT));
        events.add(e);
        return new CudaEvent(e);
    }

    @Override
    public void record(Event event) {
        enterStreamWork();
        CUevent e = cudaEvent(event);
        // During capture a plain record only orders work inside the graph; EXTERNAL makes it a node that records
        // the event at every replay, so per-kernel times of replayed epochs can be read.
        if (capturing) {
            call("record", () -> cuEventRecordWithFlags(e, stream, CUevent_record_flags.CU_EVENT_RECORD_EXTERNAL));
        } else {
            call("record", () -> cuEventRecord(e, stream));
        }
    }

    @Override
    public float elapsedMillis(Event start, Event end) {
        enter("elapsedMillis");
        float[] ms = new float[1];
        call("elapsedMillis", () -> {
            cuEventSynchronize(cudaEvent(end));
            return cuEventElapsedTime(ms, cudaEvent(start), cudaEvent(end));
        });
        return ms[0];
    }

    @Override
    public void beginCapture() {
        enter("beginCapture");
        call("beginCapture", () -> cuStreamBeginCapture(stream,
                CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
        capturing = true;
    }

    @Override
    public Graph endCapture() {
        requireOpen();
        makeCurrent();
        if (!capturing) {
            throw new DeviceException("endCapture without beginCapture");
        }
        capturing = false;
        CUgraph graph = new CUgraph();
        CUgraphExec exec = new CUgraphExec();
        call("endCapture", () -> cuStreamEndCapture(stream, graph));
        try {
            call("instantiate graph", () -> cuGraphInstantiate(exec, graph, 0));
        } catch (RuntimeException e) {
            // The captured graph is ours to free when it never becomes an executable one.
            quietly(() -> cuGraphDestroy(graph));
            throw e;
        }
        return new CudaGraph(graph, exec);
    }

    @Override
    public void replay(Graph graph) {
        enter("replay");
        if (!(graph instanceof CudaGraph g) || g.closed) {
            throw new DeviceException("replay of a graph that is closed or from another device");
        }
        call("replay", () -> cuGraphLaunch(g.exec, stream));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        quietly(() -> cuCtxSetCurrent(context));
        try {
            cuStreamSynchronize(stream);
        } catch (CudaException e) {
            // Closing after a failed kernel: the context is unusable; release what we can below.
        }
        for (DevicePointer p : bases.values()) {
            quietly(() -> cuMemFree(p));
        }
        for (CUevent e : events) {
            quietly(() -> cuEventDestroy(e));
        }
        quietly(() -> cuStreamDestroy(stream));
        quietly(() -> cuModuleUnload(module));
        quietly(() -> cuDevicePrimaryCtxRelease(device));
    }

    /**
     * ", F of T free" for an out-of-memory message; empty when the driver cannot say (a poisoned context fails
     * cuMemGetInfo too, and its exception must not replace the one being reported).
     */
    private static String memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        try {
            cuMemGetInfo(free, total);
        } catch (CudaException e) {
            return "";
        }
        return ", " + free[0] + " of " + total[0] + " free";
    }

    /** A device pointer JCuda can use, made from a plain address inside one of our allocations. */
    private CUdeviceptr pointer(DevicePtr p) {
        Map.Entry<Long, DevicePointer> base = bases.floorEntry(p.address());
        return base.getValue().at(p.address() - base.getKey());
    }

    private void hostCopy(String operation, DevicePtr ptr, long bytes, int arrayLength, int offset, int count) {
        enter(operation);
        if (offset < 0 || count < 0 || (long) offset + count > arrayLength) {
            throw new IndexOutOfBoundsException(operation + ": elements " + offset + ".." + ((long) offset + count)
                    + " of an array of " + arrayLength);
        }
        allocations.requireRange(ptr, bytes, operation);
        call(operation, () -> cuStreamSynchronize(stream));
    }

    /** For calls not allowed during capture. */
    private void enter(String operation) {
        requireOpen();
        makeCurrent();
        if (capturing) {
            throw new DeviceException(operation + " is not allowed while capturing a graph");
        }
    }

    /** For stream work, which capture records. */
    private void enterStreamWork() {
        requireOpen();
        makeCurrent();
    }

    private void makeCurrent() {
        if (owner != Thread.currentThread()) {
            call("cuCtxSetCurrent", () -> cuCtxSetCurrent(context));
            owner = Thread.currentThread();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new DeviceException("the CUDA device is closed");
        }
        if (poisoned != null) {
            throw new DeviceException("the CUDA context is unusable after an earlier kernel fault (" + poisoned
                    + ")");
        }
    }

    private static CUevent cudaEvent(Event event) {
        if (!(event instanceof CudaEvent e)) {
            throw new DeviceException("an event of another device");
        }
        return e.event;
    }

    private interface DriverCall {
        int run();
    }

    private void call(String context, DriverCall c) {
        try {
            c.run();
        } catch (CudaException e) {
            throw fault(context, e, "");
        }
    }

    /** The exception for a failed call; a sticky error also marks the context (and the GPU, for probes) unusable. */
    private DeviceException fault(String context, CudaException e, String detail) {
        DeviceException d = CudaErrors.of(context, e, detail);
        return CudaErrors.isSticky(e) ? poison(d) : d;
    }

    private DeviceException poison(DeviceException e) {
        if (poisoned == null) {
            poisoned = e.getMessage();
            CudaProbe.markUnusable(e.getMessage());
        }
        return e;
    }

    private static void quietly(DriverCall c) {
        try {
            c.run();
        } catch (CudaException e) {
            // best effort while closing
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = CudaDevice.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new DeviceException("cannot read " + name + " from the jar: " + e.getMessage(), e);
        }
    }

    /** Static facts about a GPU, for the description and the compute-capability check. */
    private record Info(String name, int major, int minor, int multiprocessors, long totalMemory,
                        String driverVersion) {
        static Info of(CUdevice device) {
            try {
                byte[] name = new byte[256];
                cuDeviceGetName(name, name.length, device);
                int n = 0;
                while (n < name.length && name[n] != 0) {
                    n++;
                }
                int[] v = new int[1];
                cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
                int major = v[0];
                cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
                int minor = v[0];
                cuDeviceGetAttribute(v, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
                int sms = v[0];
                long[] total = new long[1];
                cuDeviceTotalMem(total, device);
                cuDriverGetVersion(v);
                String driver = (v[0] / 1000) + "." + (v[0] % 1000 / 10);
                return new Info(new String(name, 0, n, StandardCharsets.US_ASCII), major, minor, sms, total[0],
                        driver);
            } catch (CudaException e) {
                throw CudaErrors.of("cannot query GPU 0", e);
            }
        }
    }

    /** CUdeviceptr with access to its address and to offsets from it (JCuda keeps both protected). */
    private static final class DevicePointer extends CUdeviceptr {
        DevicePointer() {
        }

        private DevicePointer(DevicePointer base, long offset) {
            super(base, offset);
        }

        long address() {
            return getNativePointer() + getByteOffset();
        }

        DevicePointer at(long offset) {
            return offset == 0 ? this : new DevicePointer(this, offset);
        }
    }

    /** CUstream with access to its native handle (JCuda keeps it protected). */
    private static final class StreamHandle extends CUstream {
        long address() {
            return getNativePointer();
        }
    }

    private static final class CudaEvent implements Event {
        private final CUevent event;

        CudaEvent(CUevent event) {
            this.event = event;
        }
    }

    private static final class CudaGraph implements Graph {
        private final CUgraph graph;
        private final CUgraphExec exec;
        private boolean closed;

        CudaGraph(CUgraph graph, CUgraphExec exec) {
            this.graph = graph;
            this.exec = exec;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                quietly(() -> cuGraphExecDestroy(exec));
                quietly(() -> cuGraphDestroy(graph));
            }
        }
    }
}
