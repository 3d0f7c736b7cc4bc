package io.jgrok.analysis;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Device;
import io.jgrok.device.DeviceException;
import io.jgrok.device.Devices;

import java.io.PrintStream;
import java.util.function.Supplier;

/** Picks the analysis backend for {@code --device auto|cpu|cuda|emulated}. */
public final class AnalysisBackends {
    /**
     * Checkpoints per batch on a GPU: at the paper's size a checkpoint's logits are 5.8 MB and its working buffers
     * about as much again, so 32 of them (~0.4 GB) fill the kernels' grids many times over.
     */
    static final int CUDA_BATCH = 32;
    /** On the emulated device a batch only needs to be a batch (several checkpoints per launch); keep it small. */
    static final int EMULATED_BATCH = 4;

    private AnalysisBackends() {
    }

    public static AnalysisBackend open(String device, RunConfig config, int threads, PrintStream notices) {
        return open(device, config, threads, notices, Devices::probeCuda);
    }

    static AnalysisBackend open(String device, RunConfig config, int threads, PrintStream notices,
                                Supplier<CudaProbe> probe) {
        return switch (device) {
            case "cpu" -> new CpuAnalysisBackend(config, threads);
            case "emulated" -> onDevice("emulated", config, notices, EMULATED_BATCH);
            case "cuda" -> onDevice("cuda", config, notices, CUDA_BATCH);
            case "auto" -> {
                CudaProbe cuda = probe.get();
                if (cuda.usable()) {
                    yield onDevice("cuda", config, notices, CUDA_BATCH);
                }
                notices.println("jgrok: no usable CUDA GPU (" + cuda.reason() + "); analysing on the CPU");
                yield new CpuAnalysisBackend(config, threads);
            }
            default -> throw new UserError("--device must be one of auto, cpu, cuda, emulated; got '" + device + "'");
        };
    }

    private static AnalysisBackend onDevice(String kind, RunConfig config, PrintStream notices, int batch) {
        Device device;
        try {
            device = Devices.open(kind);
        } catch (DeviceException e) {
            throw new UserError("--device " + kind + ": " + e.getMessage(), e);
        }
        return DeviceAnalysisBackend.open(device, config, notices,
                new DeviceAnalysisBackend.Options(batch, false, true));
    }
}
