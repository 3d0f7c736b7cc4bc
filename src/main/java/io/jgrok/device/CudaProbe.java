package io.jgrok.device;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * Whether a usable CUDA GPU is present, for {@code --device auto} and for tests that need a GPU: the kernels are in
 * this build, the driver loads, GPU 0 exists and has compute capability 8.0 or newer. Cheap (no context, no module)
 * and never throws; {@link #reason} says why not, in the words CudaDevice.open would use.
 */
public record CudaProbe(boolean usable, String reason) {

    private static CudaProbe cached;
    private static String unusable;

    /**
     * Probes once per JVM; the answer changes only when a kernel fault makes the context unusable
     * ({@link #markUnusable}).
     */
    public static synchronized CudaProbe probe() {
        if (cached == null) {
            cached = run();
        }
        return cached;
    }

    /**
     * Records that GPU 0 cannot be used by this process any more (a kernel fault left the context unusable), so that
     * later probes (--device auto, the tests' GPU twins) say so instead of offering a broken context.
     */
    public static synchronized void markUnusable(String reason) {
        unusable = "GPU 0's CUDA context is unusable in this process after a kernel fault (" + reason + "); a new "
                + "process gets a working one";
        cached = new CudaProbe(false, unusable);
    }

    /** Why GPU 0 cannot be used by this process any more, or null (see {@link #markUnusable}). */
    public static synchronized String unusableReason() {
        return unusable;
    }

    private static CudaProbe run() {
        try {
            if (CudaProbe.class.getResource(CudaDevice.FATBIN_RESOURCE) == null) {
                return new CudaProbe(false, "this build has no CUDA kernels (run `make kernels`, then `make jar`)");
            }
            CudaDevice.initDriver();
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) {
                return new CudaProbe(false, "no CUDA GPU is visible");
            }
            CUdevice device = new CUdevice();
            cuDeviceGet(device, 0);
            int[] major = new int[1];
            cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
            if (major[0] < 8) {
                return new CudaProbe(false, "GPU 0 has compute capability " + major[0] + ".x; the kernels need 8.0+");
            }
            return new CudaProbe(true, "GPU 0 is usable");
        } catch (DeviceException e) {
            return new CudaProbe(false, e.getMessage());
        } catch (jcuda.CudaException e) {
            return new CudaProbe(false, CudaErrors.of("CUDA", e).getMessage());
        } catch (LinkageError e) {
            return new CudaProbe(false, CudaErrors.libraryMissing(e).getMessage());
        }
    }
}
