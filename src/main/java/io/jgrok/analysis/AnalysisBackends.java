package io.jgrok.analysis;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;

import java.io.PrintStream;

/** Picks the analysis backend for {@code --device auto|cpu|cuda|emulated}. */
public final class AnalysisBackends {
    private AnalysisBackends() {
    }

    public static AnalysisBackend open(String device, RunConfig config, int threads, PrintStream notices) {
        return switch (device) {
            case "cpu" -> new CpuAnalysisBackend(config, threads);
            case "auto" -> {
                notices.println("jgrok: no device analysis backend in this build; using the CPU");
                yield new CpuAnalysisBackend(config, threads);
            }
            case "cuda", "emulated" -> throw new UserError("--device " + device + ": the device analysis backend is "
                    + "not available in this build; use --device cpu or auto");
            default -> throw new UserError("--device must be one of auto, cpu, cuda, emulated; got '" + device + "'");
        };
    }
}
