package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Devices;

import java.io.PrintStream;

/** Picks the batch trainer for a sweep's device. */
public final class BatchTrainers {
    /** Models per batched launch on a device when --parallel is not given. */
    public static final int DEFAULT_DEVICE_BATCH = 64;

    private BatchTrainers() {
    }

    /**
     * @param device        the runs' device (one per sweep): cpu, cuda, emulated, or auto (CUDA when usable)
     * @param parallel      runs at once on the CPU, models per launch on a device; 0 for the default (cores / the
     *                      runs' threads on the CPU, {@value #DEFAULT_DEVICE_BATCH} on a device)
     * @param threadsPerRun CPU engine threads of each run
     * @param notices       where auto says what it picked
     */
    public static BatchTrainer forDevice(String device, int parallel, int threadsPerRun, PrintStream notices) {
        int cores = Runtime.getRuntime().availableProcessors();
        int cpuWidth = parallel > 0 ? parallel : Math.max(1, cores / Math.max(1, threadsPerRun));
        int deviceWidth = parallel > 0 ? parallel : DEFAULT_DEVICE_BATCH;
        return switch (device) {
            case "cpu" -> new CpuBatchTrainer(cpuWidth);
            case "emulated" -> new DeviceBatchTrainer("emulated", deviceWidth, () -> Devices.open("emulated"));
            case "cuda" -> {
                CudaProbe probe = Devices.probeCuda();
                if (!probe.usable()) {
                    throw new UserError("--device cuda: " + probe.reason());
                }
                yield new DeviceBatchTrainer("cuda", deviceWidth, () -> Devices.open("cuda"));
            }
            case "auto" -> {
                CudaProbe probe = Devices.probeCuda();
                if (probe.usable()) {
                    yield new DeviceBatchTrainer("cuda", deviceWidth, () -> Devices.open("cuda"));
                }
                notices.println("jgrok sweep: no usable CUDA GPU (" + probe.reason() + "); training on the CPU");
                yield new CpuBatchTrainer(cpuWidth);
            }
            default -> throw new UserError("unknown device '" + device + "'");
        };
    }
}
