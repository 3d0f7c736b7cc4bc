package io.jgrok.device;

import java.util.Arrays;

/**
 * Launch throughput of the emulated device, so that kernel authors know its budget (not a test: `make
 * emulator-bench`). Runs selftest_sync_loop (2 barriers per round, then butterfly shuffles) in several shapes and
 * prints the median time per launch and the cost per thread per barrier or shuffle beyond an empty launch of the
 * same shape. Arguments: host threads for blocks (default: all cores), repetitions (default 7).
 */
public final class EmulatorLaunchBench {
    private EmulatorLaunchBench() {
    }

    private record Shape(int blocks, int threads, int rounds, int shuffles) {
        String label() {
            return blocks + " x " + threads + ", " + (2 * rounds) + " barriers, " + shuffles + " shuffles";
        }
    }

    public static void main(String[] args) {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        Shape[] shapes = {
            new Shape(1, 32, 0, 0),
            new Shape(512, 256, 0, 0),
            new Shape(512, 256, 2, 0),
            new Shape(512, 256, 8, 0),
            new Shape(512, 256, 0, 10),
            new Shape(64, 1024, 2, 0),
        };
        try (EmulatedDevice device = EmulatedDevice.open(workers)) {
            System.out.println(device.description());
            DevicePtr out = device.alloc(4L * 512 * 1024);
            System.out.printf("%-40s %12s %22s%n", "launch", "ms (median)", "ns per thread-op");
            for (int s = 0; s < shapes.length; s++) {
                Shape sh = shapes[s];
                double ms = median(device, out, sh, reps);
                double baseline = s == 0 ? ms : median(device, out, new Shape(sh.blocks, sh.threads, 0, 0), reps);
                long ops = (long) sh.blocks * sh.threads * (2L * sh.rounds + sh.shuffles);
                String perOp = ops == 0 ? "-" : String.format("%.1f", (ms - baseline) * 1e6 / ops);
                System.out.printf("%-40s %12.2f %22s%n", sh.label(), ms, perOp);
            }
            device.free(out);
        }
    }

    private static double median(EmulatedDevice device, DevicePtr out, Shape sh, int reps) {
        KernelArgs args = KernelArgs.of().ptr(out).i32(sh.rounds).i32(sh.shuffles);
        double[] ms = new double[reps];
        for (int r = -2; r < reps; r++) {
            long t0 = System.nanoTime();
            device.launch("selftest_sync_loop", Dim3.of(sh.blocks), Dim3.of(sh.threads), 0, args);
            long t1 = System.nanoTime();
            if (r >= 0) {
                ms[r] = (t1 - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }
}
