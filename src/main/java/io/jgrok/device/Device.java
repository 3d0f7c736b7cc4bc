package io.jgrok.device;

/**
 * The small interface through which all device work goes. Two implementations: the CUDA driver API through JCuda
 * (a real GPU), and the emulated device (the same kernel sources compiled for the host, reached through JNI).
 * Model, training and analysis code use only this interface; they never see JCuda or JNI.
 *
 * <p>All work is issued in order on the device's one stream; copies to the host wait for preceding work.
 * Kernels are looked up by their {@code extern "C"} name in the module built from {@code src/main/cuda/}; every
 * launch is checked against the kernel's signature (from its {@code JGROK_REGISTER_KERNEL} registration) and every
 * pointer argument, copy and memset against the live allocations, on both implementations, so that a packing or
 * bounds mistake is a {@link DeviceException} naming the kernel and argument rather than corrupted memory.
 * Not thread-safe: one thread at a time (the CUDA implementation makes its context current on the calling thread).
 */
public interface Device extends AutoCloseable {

    /** One line: driver version, device name, compute capability, kernel image loaded (printed at start). */
    String description();

    /** Allocates {@code bytes} of device memory (contents undefined). */
    DevicePtr alloc(long bytes);

    void free(DevicePtr ptr);

    /** Sets {@code bytes} bytes at {@code dst} to {@code value} (e.g. 0, or 0xFF to poison). */
    void memset(DevicePtr dst, int value, long bytes);

    void copyToDevice(DevicePtr dst, float[] src, int srcOffset, int count);

    void copyToDevice(DevicePtr dst, int[] src, int srcOffset, int count);

    void copyToDevice(DevicePtr dst, double[] src, int srcOffset, int count);

    /** Copies after all previously issued work has finished. */
    void copyToHost(float[] dst, int dstOffset, DevicePtr src, int count);

    void copyToHost(int[] dst, int dstOffset, DevicePtr src, int count);

    void copyToHost(double[] dst, int dstOffset, DevicePtr src, int count);

    /** Device-to-device copy. */
    void copy(DevicePtr dst, DevicePtr src, long bytes);

    /** Whether the module has a kernel of this name. */
    boolean hasKernel(String name);

    /** The module's kernels, in registration order (source file order, then definition order). */
    java.util.List<String> kernelNames();

    /** The kernel's parameter types; {@link DeviceException} if there is no such kernel. */
    KernelSignature signature(String name);

    /**
     * The kernel's launch bounds, from the kernel manifest ({@link LaunchBounds#NONE} without any); every launch is
     * checked against them; {@link DeviceException} if there is no such kernel.
     */
    LaunchBounds launchBounds(String name);

    /**
     * Launches kernel {@code name} on the stream: cuLaunchKernel semantics, static shared memory plus
     * {@code dynamicSharedBytes}. A block outside the kernel's {@link #launchBounds} is refused at once; other errors
     * surface as {@link DeviceException} (at the latest on the next sync).
     */
    void launch(String name, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args);

    /** Waits for all issued work. */
    void synchronize();

    /** A new event; events are reusable (record again to move), and freed with the device. */
    Event createEvent();

    /**
     * Records the event on the stream (when the work issued so far has run). Allowed during capture: the graph then
     * records it on every replay, which is how per-kernel times of a replayed epoch are measured.
     */
    void record(Event event);

    /** Milliseconds between two recorded events; waits for {@code end}. */
    float elapsedMillis(Event start, Event end);

    /**
     * Starts capturing: launches, memsets, device-to-device copies and event records issued until
     * {@link #endCapture} are recorded into a graph instead of running (with the argument values of the moment).
     * Host copies, allocation, free and synchronize are not allowed during capture ({@link DeviceException}).
     */
    void beginCapture();

    Graph endCapture();

    /** Runs a captured graph on the stream (same kernels, same arguments as captured). */
    void replay(Graph graph);

    @Override
    void close();

    /** A recorded point on the stream. */
    interface Event {
    }

    /** An instantiated, replayable graph. */
    interface Graph extends AutoCloseable {
        @Override
        void close();
    }
}
