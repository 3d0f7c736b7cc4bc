package io.jgrok.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import jcuda.CudaException;
import org.junit.jupiter.api.Test;

/**
 * The CUDA device's behaviour that needs no GPU: what a machine without one is told (one line, no stack trace), the
 * probe, which fatbin image a GPU runs, and the messages for the driver errors a user can act on. The device
 * contract on a real GPU is {@link CudaDeviceContractTest}.
 */
class CudaDeviceTest {

    @Test
    void withoutAUsableGpuOpeningFailsWithOneLine() {
        CudaProbe probe = Devices.probeCuda();
        assumeFalse(probe.usable(), "a usable GPU is present, so the no-GPU path cannot be exercised here");
        assertFalse(probe.reason().isBlank());
        DeviceException e = assertThrows(DeviceException.class, () -> Devices.open("cuda"));
        assertFalse(e.getMessage().isBlank());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void probeIsCachedAndNeverThrows() {
        CudaProbe first = Devices.probeCuda();
        assertSame(first, Devices.probeCuda());
    }

    @Test
    void unknownDeviceKindIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Devices.open("tpu"));
    }

    @Test
    void imageChosenForEachComputeCapability() {
        assertEquals("sm_80 SASS", CudaDevice.imageFor(8, 0));
        assertEquals("sm_86 SASS", CudaDevice.imageFor(8, 6));
        assertEquals("sm_86 SASS", CudaDevice.imageFor(8, 7));
        assertEquals("sm_89 SASS", CudaDevice.imageFor(8, 9));
        assertEquals("sm_90 SASS", CudaDevice.imageFor(9, 0));
        assertEquals("compute_90 PTX, JIT-compiled by the driver for sm_100", CudaDevice.imageFor(10, 0));
        assertEquals("compute_90 PTX, JIT-compiled by the driver for sm_120", CudaDevice.imageFor(12, 0));
    }

    @Test
    void driverErrorsBecomeActionableSentences() {
        String ptx = CudaErrors.of("cannot load kernels/jgrok.fatbin on X",
                new CudaException("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), ", driver supports CUDA 12.4").getMessage();
        assertTrue(ptx.contains("the NVIDIA driver is older than the kernels' PTX"), ptx);
        assertTrue(ptx.contains("driver supports CUDA 12.4"), ptx);
        assertTrue(ptx.contains("make kernels NVCC="), ptx);

        String image = CudaErrors.of("load", new CudaException("CUDA_ERROR_INVALID_IMAGE")).getMessage();
        assertTrue(image.contains("older than the nvcc that built it"), image);

        String oom = CudaErrors.of("alloc", new CudaException("CUDA_ERROR_OUT_OF_MEMORY"), ": 10 bytes requested")
                .getMessage();
        assertEquals("alloc: out of GPU memory (CUDA_ERROR_OUT_OF_MEMORY: 10 bytes requested)", oom);

        String noDevice = CudaErrors.of("cannot open GPU 0", new CudaException("CUDA_ERROR_NO_DEVICE")).getMessage();
        assertTrue(noDevice.contains("no CUDA GPU is visible"), noDevice);

        String old = CudaErrors.of("init", new CudaException("CUDA_ERROR_INSUFFICIENT_DRIVER")).getMessage();
        assertTrue(old.contains("update the driver"), old);

        String other = CudaErrors.of("launch k", new CudaException("CUDA_ERROR_INVALID_VALUE")).getMessage();
        assertEquals("launch k: CUDA_ERROR_INVALID_VALUE", other);
    }

    @Test
    void missingDriverLibraryIsNamed() {
        String noDriver = CudaErrors.libraryMissing(new UnsatisfiedLinkError(
                "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file"))
                .getMessage();
        assertTrue(noDriver.startsWith("no NVIDIA driver: libcuda.so.1 cannot be loaded"), noDriver);
        String noJcuda = CudaErrors.libraryMissing(new UnsatisfiedLinkError("no JCudaDriver in java.library.path\n"
                + "more detail")).getMessage();
        assertTrue(noJcuda.startsWith("the JCuda native library cannot be loaded (no JCudaDriver"), noJcuda);
        assertFalse(noJcuda.contains("\n"), noJcuda);
    }
}
