package io.jgrok.device;

import jcuda.CudaException;

import java.util.Map;

/**
 * Turns JCuda failures into one-line {@link DeviceException}s that say what to do. The driver API reports a code
 * (JCuda's exception message is the code's name); the ones a user can act on get their own sentence.
 */
final class CudaErrors {
    private CudaErrors() {
    }

    /** JCuda's native library or the driver's libcuda.so.1 could not be loaded. */
    static DeviceException libraryMissing(Throwable e) {
        String text = String.valueOf(e.getMessage()) + (e.getCause() != null ? " " + e.getCause().getMessage() : "");
        if (text.contains("libcuda.so")) {
            return new DeviceException("no NVIDIA driver: libcuda.so.1 cannot be loaded (the CUDA device needs an "
                    + "NVIDIA GPU and its driver; use --device cpu or --device emulated)", e);
        }
        String firstLine = text.lines().findFirst().orElse(text);
        return new DeviceException("the JCuda native library cannot be loaded (" + firstLine + "); JCuda 12.6 "
                + "supports Linux, Windows and macOS on x86-64", e);
    }

    /**
     * Kernel faults after which the CUDA context is unusable ("sticky" errors): every later call in the process
     * fails with the same code, and only a new process (or a reset of the primary context) gets a working GPU again.
     * Each maps to what it means.
     */
    static final Map<String, String> STICKY = Map.of(
            "CUDA_ERROR_ILLEGAL_ADDRESS", "a kernel read or wrote an invalid address",
            "CUDA_ERROR_MISALIGNED_ADDRESS", "a kernel accessed memory at a misaligned address",
            "CUDA_ERROR_ILLEGAL_INSTRUCTION", "a kernel executed an illegal instruction",
            "CUDA_ERROR_INVALID_PC", "a kernel's program counter left its code",
            "CUDA_ERROR_INVALID_ADDRESS_SPACE", "a kernel used an address in the wrong memory space",
            "CUDA_ERROR_HARDWARE_STACK_ERROR", "a kernel overflowed its call stack",
            "CUDA_ERROR_LAUNCH_FAILED", "a kernel stopped with an exception (a __trap(), or a fault the driver "
                    + "does not classify)",
            "CUDA_ERROR_ASSERT", "a device-side assert failed",
            "CUDA_ERROR_LAUNCH_TIMEOUT", "a kernel ran past the display watchdog's limit",
            "CUDA_ERROR_ECC_UNCORRECTABLE", "the GPU's memory reported an uncorrectable ECC error");

    /** Whether the failure leaves the context unusable (see {@link #STICKY}). */
    static boolean isSticky(CudaException e) {
        return STICKY.containsKey(firstToken(String.valueOf(e.getMessage()).strip()));
    }

    /**
     * The sentence for a sticky error reported by a call that waits for the GPU: the fault belongs to some kernel
     * launched since the last synchronisation, not to that call.
     */
    static String sticky(String context, String code) {
        return context + ": " + STICKY.get(firstToken(code)) + " (" + code + "); the GPU reports a kernel fault at the "
                + "next call that waits for it, so the faulting kernel is one launched since the last synchronisation, "
                + "not necessarily the one named; the CUDA context is now unusable and every later GPU call of this "
                + "process fails. Rerun with JGROK_DEVICE_SYNC=1 (every epoch launched eagerly, a synchronisation "
                + "after each launch) to name the kernel";
    }

    /** The sentence for a sticky error caught right after a launch (JGROK_DEVICE_SYNC=1): the kernel is known. */
    static String stickyAt(String kernelLaunch, String code) {
        return kernelLaunch + " faulted: " + STICKY.get(firstToken(code)) + " (" + code + "); the CUDA context is now "
                + "unusable and every later GPU call of this process fails";
    }

    /** A failed driver call; {@code context} names what was being done, {@code detail} may add numbers. */
    static DeviceException of(String context, CudaException e, String detail) {
        String code = String.valueOf(e.getMessage()).strip();
        if (STICKY.containsKey(firstToken(code))) {
            return new DeviceException(sticky(context, code + detail), e);
        }
        String message = switch (firstToken(code)) {
            case "CUDA_ERROR_NO_DEVICE" -> "no CUDA GPU is visible (CUDA_ERROR_NO_DEVICE): check nvidia-smi and "
                    + "CUDA_VISIBLE_DEVICES, or use --device cpu";
            case "CUDA_ERROR_INSUFFICIENT_DRIVER", "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE" ->
                    "the NVIDIA driver is too old for this program (" + code + "): update the driver";
            case "CUDA_ERROR_UNSUPPORTED_PTX_VERSION" -> "the NVIDIA driver is older than the kernels' PTX ("
                    + "CUDA_ERROR_UNSUPPORTED_PTX_VERSION" + detail + "): update the driver to one that supports the "
                    + "CUDA version of the nvcc that built kernels/jgrok.fatbin, or rebuild the kernels with an older "
                    + "nvcc: `make kernels NVCC=/path/to/nvcc` (then `make jar`)";
            case "CUDA_ERROR_NO_BINARY_FOR_GPU" -> "kernels/jgrok.fatbin has no code for this GPU ("
                    + "CUDA_ERROR_NO_BINARY_FOR_GPU" + detail + "): it holds sm_80, sm_86, sm_89 and sm_90 code and "
                    + "compute_90 PTX, so GPUs older than compute capability 8.0 are not supported";
            case "CUDA_ERROR_INVALID_IMAGE", "CUDA_ERROR_INVALID_PTX", "CUDA_ERROR_INVALID_SOURCE" ->
                    "the driver cannot load kernels/jgrok.fatbin (" + code + detail + "), usually because it is older "
                    + "than the nvcc that built it: update the driver, or rebuild the kernels with an older nvcc "
                    + "(`make kernels NVCC=/path/to/nvcc`, then `make jar`)";
            case "CUDA_ERROR_OUT_OF_MEMORY" -> "out of GPU memory (CUDA_ERROR_OUT_OF_MEMORY" + detail + ")";
            case "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH" -> "the NVIDIA kernel driver and libcuda.so.1 have different "
                    + "versions (CUDA_ERROR_SYSTEM_DRIVER_MISMATCH): reboot or reinstall the driver";
            case "CUDA_ERROR_DEVICES_UNAVAILABLE" -> "the GPU is busy or in exclusive mode "
                    + "(CUDA_ERROR_DEVICES_UNAVAILABLE)";
            default -> code + detail;
        };
        return new DeviceException(context + ": " + message, e);
    }

    static DeviceException of(String context, CudaException e) {
        return of(context, e, "");
    }

    private static String firstToken(String code) {
        int space = code.indexOf(' ');
        return space < 0 ? code : code.substring(0, space);
    }
}
