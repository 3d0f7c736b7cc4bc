package io.jgrok.analysis;

import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;

/**
 * Half spectra by the direct DFT kernel ({@code analysis_dft_half_spectrum}): the fallback when no cuFFT loads, and
 * the route on the emulated device. The twiddle table (cos, sin)(2 pi t / p) is computed here in float64 and
 * uploaded once.
 */
final class DftHalfSpectra implements HalfSpectra {
    static final int THREADS = 128;

    private final Device device;
    private final int p;
    private final DevicePtr cosSin;

    DftHalfSpectra(Device device, int p) {
        this.device = device;
        this.p = p;
        float[] table = new float[2 * p];
        for (int t = 0; t < p; t++) {
            double angle = 2 * Math.PI * t / p;
            table[2 * t] = (float) Math.cos(angle);
            table[2 * t + 1] = (float) Math.sin(angle);
        }
        this.cosSin = device.alloc(4L * table.length);
        device.copyToDevice(cosSin, table, 0, table.length);
    }

    @Override
    public String description() {
        return "jgrok's DFT kernels";
    }

    @Override
    public void compute(DevicePtr spectrum, DevicePtr x, int cols) {
        device.launch("analysis_dft_half_spectrum", Dim3.of(Launches.blocks(cols, THREADS), p / 2 + 1),
                Dim3.of(THREADS), 0, KernelArgs.of().ptr(spectrum).ptr(x).ptr(cosSin).i32(p).i32(cols));
    }

    @Override
    public void close() {
        device.free(cosSin);
    }
}
