package io.jgrok.analysis;

import io.jgrok.device.CudaDevice;
import io.jgrok.device.Cufft;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;

import java.io.PrintStream;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The first step of every device transform: the complex half spectra X_k, k = 0..p/2, of the columns of a real
 * x [p][cols] on the device, as interleaved (re, im) floats [p/2 + 1][cols] -- the layout of cuFFT's batched R2C
 * with unit column stride. {@link DeviceTransforms} maps them to the paper's basis with one kernel whichever route
 * produced them: cuFFT ({@link CufftHalfSpectra}) on a GPU with a loadable libcufft, jgrok's DFT kernel
 * ({@link DftHalfSpectra}) otherwise.
 */
interface HalfSpectra extends AutoCloseable {

    /** One phrase: which route, e.g. "cuFFT 12.0.0 (libcufft.so.12)". */
    String description();

    /** spectrum [p/2 + 1][cols] (complex) from x [p][cols], enqueued on the device's stream. */
    void compute(DevicePtr spectrum, DevicePtr x, int cols);

    @Override
    void close();

    /**
     * cuFFT when the device is a GPU and a libcufft loads, else the DFT kernel; a GPU without cuFFT gets a one-line
     * notice saying why.
     */
    static HalfSpectra forDevice(Device device, int p, Supplier<Cufft.Discovery> discovery, PrintStream notices) {
        if (device instanceof CudaDevice cuda) {
            return choose(device, p, true, cuda::nativeStream, discovery, notices);
        }
        return choose(device, p, false, () -> 0L, discovery, notices);
    }

    /**
     * The choice itself, for devices whose pointers cuFFT can use ({@code cufftPointers}) or not; separate so that
     * the fallback logic is tested without a GPU.
     */
    static HalfSpectra choose(Device device, int p, boolean cufftPointers, LongSupplier stream,
                              Supplier<Cufft.Discovery> discovery, PrintStream notices) {
        if (cufftPointers) {
            Cufft.Discovery found = discovery.get();
            if (found.found()) {
                return new CufftHalfSpectra(found.library(), stream, p);
            }
            notices.println("jgrok: " + found.reason() + "; the Fourier transforms use jgrok's DFT kernels");
        }
        return new DftHalfSpectra(device, p);
    }
}
