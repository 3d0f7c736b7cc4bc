package io.jgrok.device;

/**
 * Child process of {@link EmulatorTsanTest}: runs one self-test kernel once on the emulated device named by
 * -Djgrok.emulator.dir (the ThreadSanitizer build), with the ThreadSanitizer runtime preloaded by the parent.
 * Arguments: kernel name (a kernel of selftest_faults.cu taking (const float* x, float* out)), block size.
 */
public final class TsanProbeMain {
    private TsanProbeMain() {
    }

    public static void main(String[] args) {
        String kernel = args[0];
        int threads = Integer.parseInt(args[1]);
        try (EmulatedDevice device = EmulatedDevice.open()) {
            float[] x = new float[threads];
            for (int i = 0; i < threads; i++) {
                x[i] = i;
            }
            DevicePtr xp = device.alloc(4L * threads);
            DevicePtr out = device.alloc(4L * threads);
            device.copyToDevice(xp, x, 0, threads);
            device.launch(kernel, Dim3.of(1), Dim3.of(threads), 0, KernelArgs.of().ptr(xp).ptr(out));
            device.copyToHost(x, 0, out, threads);
            System.out.println("ran " + kernel + " on " + device.description());
        }
    }
}
