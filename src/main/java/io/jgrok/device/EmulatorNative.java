package io.jgrok.device;

/**
 * The JNI functions of the emulator runtime (src/main/native/emu/emu_jni.cpp). Only {@link EmulatedDevice} calls
 * them, after validating every argument: they trust addresses and sizes.
 */
final class EmulatorNative {
    private EmulatorNative() {
    }

    /** Loads the kernel library and starts {@code workers} host threads for blocks (0: one per core). */
    static native long open(String kernelLibrary, int workers);

    static native void close(long handle);

    static native String describe(long handle);

    /** One line per kernel, "name signature". */
    static native String kernelManifest(long handle);

    /** 256-byte aligned host memory filled with 0xFF; 0 when out of memory. */
    static native long alloc(long bytes);

    static native void free(long address);

    static native void memset(long address, int value, long bytes);

    static native void copy(long dst, long src, long bytes);

    static native void copyFromFloats(long dst, float[] src, int offset, int count);

    static native void copyFromInts(long dst, int[] src, int offset, int count);

    static native void copyFromDoubles(long dst, double[] src, int offset, int count);

    static native void copyToFloats(float[] dst, int offset, long src, int count);

    static native void copyToInts(int[] dst, int offset, long src, int count);

    static native void copyToDoubles(double[] dst, int offset, long src, int count);

    /** Runs kernel number {@code kernel} to completion; a kernel fault throws {@link DeviceException}. */
    static native void launch(long handle, int kernel, int gx, int gy, int gz, int bx, int by, int bz,
                              int dynamicSharedBytes, long[] args);
}
