package io.jgrok.analysis;

import io.jgrok.config.FourierOrder;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;

/**
 * Transforms into the paper's real Fourier basis on the device: a half spectrum along axis 0
 * ({@link HalfSpectra}: cuFFT or the DFT kernel), then {@code analysis_spectrum_to_basis} (cos k = sqrt(2/p) Re X_k,
 * sin k = -sqrt(2/p) Im X_k, const = X_0 / sqrt(p), in the run's row order). A 2D transform over the first two axes
 * of [p][p][m] is two such passes, each writing its result with the first two axes swapped, so both passes run
 * along axis 0 with unit column stride (the one layout both routes need).
 */
final class DeviceTransforms {
    static final int THREADS = 128;

    private final Device device;
    private final HalfSpectra spectra;
    private final FourierBasis basis;

    DeviceTransforms(Device device, HalfSpectra spectra, FourierBasis basis) {
        this.device = device;
        this.spectra = spectra;
        this.basis = basis;
    }

    String description() {
        return spectra.description();
    }

    /**
     * out = F x along axis 0 of x [p][cols]: [p][cols], or with {@code swap} (columns read as [cols / inner][inner])
     * [cols / inner][p][inner].
     */
    void alongFirstAxis(DeviceScratch scratch, DevicePtr out, DevicePtr x, int cols, int inner, boolean swap) {
        int p = basis.p();
        DevicePtr spectrum = scratch.floats(2L * (p / 2 + 1) * cols);
        spectra.compute(spectrum, x, cols);
        device.launch("analysis_spectrum_to_basis", Dim3.of(Launches.blocks(cols, THREADS), p), Dim3.of(THREADS), 0,
                KernelArgs.of().ptr(out).ptr(spectrum).i32(p).i32(cols).i32(inner)
                        .i32(basis.order() == FourierOrder.COS_FIRST ? 1 : 0).i32(swap ? 1 : 0));
    }

    /** out = F X F^T over the first two axes of x [p][p][m]. */
    void transform2d(DeviceScratch scratch, DevicePtr out, DevicePtr x, int m) {
        int p = basis.p();
        DevicePtr swapped = scratch.floats((long) p * p * m);
        alongFirstAxis(scratch, swapped, x, p * m, m, true);
        alongFirstAxis(scratch, out, swapped, p * m, m, true);
    }
}
