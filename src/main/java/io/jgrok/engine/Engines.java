package io.jgrok.engine;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.CudaDevice;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Device;
import io.jgrok.device.DeviceException;
import io.jgrok.device.Devices;
import io.jgrok.device.EmulatedDevice;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.device.DeviceEngine;

import java.io.PrintStream;

/**
 * Picks and opens the engine a config asks for ({@code --device auto|cpu|cuda|emulated}): the CPU engine, the CUDA
 * engine on GPU 0, or the CUDA engine's kernels on the emulated device. {@code auto} takes the GPU when a usable one
 * is present and otherwise says in one line why it uses the CPU engine.
 */
public final class Engines {
    private Engines() {
    }

    public static Engine open(RunConfig config, Split split, PrintStream notices) {
        return open(config, split, notices, null);
    }

    /**
     * @param profileOut where a device engine prints its per-kernel table when it closes ({@code --profile}), or
     *                   null for no profiling
     */
    public static Engine open(RunConfig config, Split split, PrintStream notices, PrintStream profileOut) {
        if (profileOut != null && config.device().equals("cpu")) {
            notices.println("jgrok: --profile times the kernels of the device engines (cuda, emulated); the CPU "
                    + "engine has none to time");
        }
        return switch (config.device()) {
            case "cpu" -> new CpuEngine(config, split);
            case "auto" -> {
                CudaProbe probe = Devices.probeCuda();
                if (probe.usable()) {
                    Device gpu = null;
                    try {
                        gpu = CudaDevice.open();
                        yield new DeviceEngine(config, split, gpu, true, profileOut);
                    } catch (DeviceException e) {
                        if (gpu != null) {
                            gpu.close();  // opened, but the engine could not be built on it (e.g. out of memory)
                        }
                        notices.println("jgrok: the CUDA GPU could not be used (" + e.getMessage()
                                + "); using the CPU engine");
                        yield new CpuEngine(config, split);
                    }
                }
                notices.println("jgrok: no usable CUDA GPU (" + probe.reason() + "); using the CPU engine");
                if (profileOut != null) {
                    notices.println("jgrok: --profile has no kernels to time on the CPU engine");
                }
                yield new CpuEngine(config, split);
            }
            case "cuda" -> {
                requireAvailable(config);
                yield device(config, split, "cuda", profileOut);
            }
            case "emulated" -> device(config, split, "emulated", profileOut);
            default -> throw new UserError("--device must be one of auto, cpu, cuda, emulated; got '"
                    + config.device() + "'");
        };
    }

    /**
     * Throws the one-line {@link UserError} that opening the config's engine would throw for a missing GPU, cheaply
     * and before anything is written ({@code --device cuda} without a usable GPU).
     */
    public static void requireAvailable(RunConfig config) {
        if (config.device().equals("cuda")) {
            CudaProbe probe = Devices.probeCuda();
            if (!probe.usable()) {
                throw new UserError("--device cuda: " + probe.reason());
            }
        }
    }

    private static Engine device(RunConfig config, Split split, String kind, PrintStream profileOut) {
        Device device;
        try {
            device = kind.equals("cuda") ? CudaDevice.open() : EmulatedDevice.open();
        } catch (DeviceException e) {
            throw new UserError("--device " + kind + ": " + e.getMessage());
        }
        try {
            return new DeviceEngine(config, split, device, true, profileOut);
        } catch (DeviceException e) {
            device.close();
            throw new UserError("--device " + kind + ": " + e.getMessage());
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }
}
