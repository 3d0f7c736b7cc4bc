package io.jgrok.check;

import io.jgrok.analysis.AnalysisAgreement;
import io.jgrok.device.DeviceContractChecks;
import io.jgrok.engine.device.BatchChecks;
import io.jgrok.engine.device.EngineChecks;
import io.jgrok.engine.device.KernelChecks;
import io.jgrok.engine.device.KernelVersionChecks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The parts of {@code jgrok gpu-check}, in the order they run, each in a process of its own with a time cap: a
 * kernel fault that leaves the CUDA context unusable, a crash or a hang then costs one part (or one check, see
 * {@link GpuCheck}), not the run. The caps of a full run add up to less than the 8 minutes the whole run may take on
 * an H100/H200; on such a GPU each part takes a few seconds, the caps are what a slow or broken GPU is allowed.
 *
 * @param name     short name (JSON key, {@code --only} value)
 * @param title    what the part does, for the progress lines
 * @param kind     how it runs
 * @param fullCap  seconds allowed in a full run (a GPU)
 * @param quickCap seconds allowed with {@code --quick} (small sizes; on the emulated device on a shared CI machine)
 */
public record Part(String name, String title, Kind kind, int fullCap, int quickCap) {

    /** How a part runs. */
    public enum Kind {
        /** The probe: driver, GPU, memory, kernel image, cuFFT. */
        PROBE,
        /** Correctness checks ({@link DeviceCheck}s), PASS/FAIL each. */
        CHECKS,
        /** A measurement in a process of its own. */
        MEASURE,
        /** A real jgrok command (train, analyze) in a process of its own, timed from outside. */
        COMMAND
    }

    /**
     * Test hook: {@code -Djgrok.gpucheck.extraChecks=CLASS:CAP} adds a part "extra" of the checks that the public
     * static method {@code CLASS.checks()} returns, with a cap of CAP seconds, after the parts of checks. The tests
     * use it to prove that a check that crashes its process, hangs, or leaves the context unusable costs only itself.
     */
    public static final String EXTRA_PROPERTY = "jgrok.gpucheck.extraChecks";

    /** Every part, in order. */
    public static List<Part> all() {
        List<Part> parts = new ArrayList<>(standard());
        String extra = System.getProperty(EXTRA_PROPERTY);
        if (extra != null && !extra.isBlank()) {
            int cap = Integer.parseInt(extra.substring(extra.indexOf(':') + 1));
            parts.add(7, new Part("extra", "extra checks from " + extra.substring(0, extra.indexOf(':')),
                    Kind.CHECKS, cap, cap));
        }
        return parts;
    }

    private static List<Part> standard() {
        return List.of(
                new Part("probe", "probe: driver, GPU, memory, kernel image, cuFFT", Kind.PROBE, 20, 60),
                new Part("contract", "device contract (self-test kernels)", Kind.CHECKS, 25, 90),
                new Part("kernels", "every training kernel (every version) against its float64 reference",
                        Kind.CHECKS, 25, 90),
                new Part("engine", "logits, loss and gradients against the float64 reference and the CPU "
                        + "engine", Kind.CHECKS, 40, 120),
                new Part("training", "ten training epochs against the CPU engine", Kind.CHECKS, 40, 120),
                new Part("batch", "bit-identical reruns, graph replay = eager, batch of N = N runs, resume",
                        Kind.CHECKS, 25, 90),
                new Part("analysis", "device analysis against the CPU analysis", Kind.CHECKS, 40, 120),
                new Part("speed", "epochs/s of the epoch loop and the per-kernel profile", Kind.MEASURE, 40,
                        120),
                new Part("sweep", "sweep throughput: N models per launch", Kind.MEASURE, 60, 120),
                new Part("train", "a real `jgrok train` run with its checkpoints", Kind.COMMAND, 90, 120),
                new Part("analyze", "a real `jgrok analyze` of that run's checkpoints on the device",
                        Kind.COMMAND, 45, 120));
    }

    /** The part named {@code name}. */
    public static Part named(String name) {
        for (Part p : all()) {
            if (p.name.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no gpu-check part named " + name);
    }

    /** The checks of a CHECKS part; {@code quick} leaves out the paper-sized ones. */
    public List<DeviceCheck> checks(boolean quick) {
        Supplier<List<DeviceCheck>> all = switch (name) {
            case "contract" -> DeviceContractChecks::all;
            case "kernels" -> () -> {
                List<DeviceCheck> kernels = new ArrayList<>(KernelChecks.all());
                kernels.addAll(KernelVersionChecks.all());
                return kernels;
            };
            case "engine" -> EngineChecks::agreement;
            case "training" -> EngineChecks::training;
            case "batch" -> BatchChecks::all;
            case "analysis" -> () -> List.of(AnalysisAgreement.check());
            case "extra" -> Part::extraChecks;
            default -> throw new IllegalStateException(name + " is not a part of checks");
        };
        List<DeviceCheck> out = new ArrayList<>();
        for (DeviceCheck c : all.get()) {
            if (!(quick && c.paperSized())) {
                out.add(c);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<DeviceCheck> extraChecks() {
        String extra = System.getProperty(EXTRA_PROPERTY);
        try {
            return (List<DeviceCheck>) Class.forName(extra.substring(0, extra.indexOf(':'))).getMethod("checks")
                    .invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("-D" + EXTRA_PROPERTY + "=" + extra + ": " + e, e);
        }
    }

    public int cap(boolean quick) {
        return quick ? quickCap : fullCap;
    }
}
