package io.jgrok.device;

/**
 * Launch shapes every supported GPU accepts (sm_80 to sm_90), checked on both devices so that a kernel proven on
 * the emulated device cannot fail on a GPU for its launch shape alone. Dynamic shared memory above 48 KiB needs an
 * opt-in on a GPU (CudaDevice does it); 99 KiB is the most an sm_86/sm_89 block can have.
 */
final class LaunchLimits {
    static final int MAX_THREADS_PER_BLOCK = 1024;
    static final int MAX_BLOCK_Z = 64;
    static final long MAX_GRID_X = (1L << 31) - 1;
    static final int MAX_GRID_YZ = 65535;
    static final int MAX_DYNAMIC_SHARED_BYTES = 99 * 1024;
    static final int DEFAULT_DYNAMIC_SHARED_BYTES = 48 * 1024;

    private LaunchLimits() {
    }

    static void check(String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes) {
        if (block.count() > MAX_THREADS_PER_BLOCK || block.z() > MAX_BLOCK_Z) {
            throw new DeviceException("kernel " + kernel + ": block " + block + " exceeds " + MAX_THREADS_PER_BLOCK
                    + " threads (or z > " + MAX_BLOCK_Z + ")");
        }
        if (grid.x() > MAX_GRID_X || grid.y() > MAX_GRID_YZ || grid.z() > MAX_GRID_YZ) {
            throw new DeviceException("kernel " + kernel + ": grid " + grid + " exceeds the limits (x < 2^31, y and z"
                    + " <= " + MAX_GRID_YZ + ")");
        }
        if (dynamicSharedBytes < 0 || dynamicSharedBytes > MAX_DYNAMIC_SHARED_BYTES) {
            throw new DeviceException("kernel " + kernel + ": " + dynamicSharedBytes + " bytes of dynamic shared "
                    + "memory; supported GPUs allow 0.." + MAX_DYNAMIC_SHARED_BYTES);
        }
    }
}
