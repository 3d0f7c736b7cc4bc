package io.jgrok.device;

/**
 * A kernel's launch bounds, as its source declares them ({@code __launch_bounds__(maxThreads[, minBlocks])}, or
 * {@code JGROK_EXACT_LAUNCH_BOUNDS} for a kernel that needs exactly {@code maxThreads} threads) and the kernel manifest
 * records them ({@code tools/LaunchBounds.java} reads them from the source, since the emulated device's compiler
 * ignores the attribute; {@code make kernels} checks them against the PTX nvcc wrote). Both devices check every
 * launch against them, so a kernel that assumes its block size fails with a one-line {@link DeviceException} on the
 * emulated device exactly where a GPU would refuse or miscompute it.
 *
 * @param maxThreads at most this many threads per block; 0: no bound
 * @param minBlocks  nvcc's minimum resident blocks per SM (a register budget; 0: none), for the record
 * @param exact      the kernel needs exactly {@code maxThreads} threads per block
 */
public record LaunchBounds(int maxThreads, int minBlocks, boolean exact) {
    /** A kernel without launch bounds. */
    public static final LaunchBounds NONE = new LaunchBounds(0, 0, false);

    /** Throws a one-line {@link DeviceException} unless {@code block} fits these bounds. */
    public void check(String kernel, Dim3 block) {
        long threads = block.count();
        if (maxThreads > 0 && threads > maxThreads) {
            throw new DeviceException("kernel " + kernel + ": block " + block + " has " + threads + " threads, more "
                    + "than its __launch_bounds__ allow (" + maxThreads + "); nvcc compiled it for at most "
                    + maxThreads + " (registers, shared arrays and thread mappings are sized for that)");
        }
        if (exact && threads != maxThreads) {
            throw new DeviceException("kernel " + kernel + ": block " + block + " has " + threads + " threads; it needs"
                    + " exactly " + maxThreads + " (JGROK_EXACT_LAUNCH_BOUNDS: its shared arrays and thread mapping"
                    + " assume that many)");
        }
    }

    /** The manifest's form: {@code launch_bounds=T[,B][ exact]}, or "" without bounds. */
    String manifestText() {
        if (maxThreads == 0) {
            return "";
        }
        return "launch_bounds=" + maxThreads + (minBlocks > 0 ? "," + minBlocks : "") + (exact ? " exact" : "");
    }

    @Override
    public String toString() {
        return maxThreads == 0 ? "no launch bounds" : manifestText();
    }
}
