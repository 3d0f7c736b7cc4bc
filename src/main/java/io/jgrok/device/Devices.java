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

    /** Whether {@code open("cuda")} would find a usable GPU; cheap, never throws (for --device auto). */
    public static CudaProbe probeCuda() {
        return CudaProbe.probe();
    }
}
