package io.jgrok.device;

/** Opens a {@link Device} by name: {@code "cuda"} (GPU 0 through JCuda) or {@code "emulated"} (the host emulator). */
public final class Devices {
    private Devices() {
    }

    /** Opens the named device; a one-line {@link DeviceException} when it cannot be used here. */
    public static Device open(String kind) {
        return switch (kind) {
            case "cuda" -> CudaDevice.open();
            case "emulated" -> EmulatedDevice.open();
            default -> throw new IllegalArgumentException("device must be cuda or emulated, got '" + kind + "'");
        };
    }

    /** The environment variable that turns on {@link #syncEveryLaunch()}. */
    public static final String SYNC_VARIABLE = "JGROK_DEVICE_SYNC";

    /**
     * Debug mode for kernel faults ({@code JGROK_DEVICE_SYNC=1}, or {@code -Djgrok.device.sync=true}): the device
     * engine launches every epoch eagerly instead of replaying a captured graph, and the CUDA device synchronises
     * after every launch, so a fault is reported by the launch of the kernel that caused it (on a GPU a fault
     * otherwise surfaces at the next call that waits, under that call's name, or inside a graph replay with no kernel
     * named). Slow: for finding a faulting kernel, not for training.
     */
    public static boolean syncEveryLaunch() {
        String value = System.getenv(SYNC_VARIABLE);
        return Boolean.getBoolean("jgrok.device.sync") || (value != null && (value.equals("1")
                || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes")));
    }

    /** Whether {@code open("cuda")} would find a usable GPU; cheap, never throws (for --device auto). */
    public static CudaProbe probeCuda() {
        return CudaProbe.probe();
    }
}
