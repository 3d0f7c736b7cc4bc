package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.check.GpuCheck;
import io.jgrok.check.Part;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code jgrok gpu-check}: probe, verify and measure a GPU machine in one run (see {@link GpuCheck}). */
final class GpuCheckCommand {
    private GpuCheckCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.value("out", "DIR", "where gpu-check.json, gpu-check.txt, profile.txt and gpu-check.log go "
                + "(default: gpu-check)"));
        o.addOption(Cli.value("device", "KIND", "cuda (default) or emulated (the same kernels on the host, to try "
                + "the command without a GPU)"));
        o.addOption(Cli.flag("quick", "small sizes everywhere (seconds on the emulated device instead of the paper "
                + "config)"));
        o.addOption(Cli.value("cufft", "PATH", "the libcufft.so.N to use (a file, or a directory holding one); "
                + "default: the search docs/gpu-machines.md describes (also JGROK_CUFFT)"));
        o.addOption(Cli.value("work", "DIR", "keep the trained run and scratch files here (default: a temporary "
                + "directory, removed at the end)"));
        o.addOption(Cli.value("budget", "SECONDS", "time for the whole run (default " + GpuCheck.FULL_BUDGET_SECONDS
                + ", with --quick " + GpuCheck.QUICK_BUDGET_SECONDS + "); each part also has a cap of its own"));
        o.addOption(Cli.value("only", "PARTS", "run only these parts (comma-separated; the probe always runs): "
                + String.join(", ", Part.all().stream().map(Part::name).toList())));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("gpu-check", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok gpu-check [--out DIR] [--device cuda|emulated] [--quick]",
                    "Probe the GPU, run the device checks the tests run (PASS/FAIL with the worst error each), and "
                            + "measure the paper config: epochs/s, the per-kernel profile against the kernels' "
                            + "costs and budgets (src/main/cuda/README.md), sweep throughput, a real train run with "
                            + "its checkpoints and the device analysis of them. At most 8 minutes on an H100/H200.\n\n",
                    options, "\nExit status: 0 every check passed, 1 a check failed or could not run, 2 the device "
                            + "cannot be used (or bad flags).");
            return 0;
        }
        if (!cl.getArgList().isEmpty()) {
            throw new UserError("gpu-check takes no arguments, got " + cl.getArgList() + "; see ./jgrok gpu-check "
                    + "--help");
        }
        String device = cl.getOptionValue("device", "cuda");
        if (!device.equals("cuda") && !device.equals("emulated")) {
            throw new UserError("--device must be cuda or emulated, got '" + device + "'");
        }
        boolean quick = cl.hasOption("quick");
        int budget = Cli.intValue(cl, "budget", quick ? GpuCheck.QUICK_BUDGET_SECONDS : GpuCheck.FULL_BUDGET_SECONDS);
        if (budget < 10) {
            throw new UserError("--budget must be at least 10 seconds, got " + budget);
        }
        String only = cl.getOptionValue("only", "");
        List<String> parts = only.isBlank() ? List.of()
                : Arrays.stream(only.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        Path out = Path.of(cl.getOptionValue("out", "gpu-check"));
        Path work = Cli.pathValue(cl, "work");
        return GpuCheck.run(new GpuCheck.Options(out, device, quick, cl.getOptionValue("cufft"), work, budget, parts,
                System.out));
    }
}
