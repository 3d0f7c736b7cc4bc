package io.jgrok.engine;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;

import java.io.PrintStream;

/** Picks and opens the engine a config asks for ({@code --device auto|cpu|cuda|emulated}). */
public final class Engines {
    private Engines() {
    }

    public static Engine open(RunConfig config, Split split, PrintStream notices) {
        return switch (config.device()) {
            case "cpu" -> new CpuEngine(config, split);
            case "auto" -> {
                notices.println("jgrok: no usable CUDA engine in this build; using the CPU engine");
                yield new CpuEngine(config, split);
            }
            case "cuda" -> throw new UserError("--device cuda: the CUDA engine is not available in this build; "
                    + "use --device cpu or auto");
            case "emulated" -> throw new UserError("--device emulated: the emulated device is not available in "
                    + "this build; use --device cpu or auto");
            default -> throw new UserError("--device must be one of auto, cpu, cuda, emulated; got '"
                    + config.device() + "'");
        };
    }
}
