package io.jgrok.device;

import jcuda.CudaException;

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

    /** A failed driver call; {@code context} names what was being done, {@code detail} may add numbers. */
    static DeviceException of(String context, CudaException e, String detail) {
        String code = String.valueOf(e.getMessage()).strip();
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
