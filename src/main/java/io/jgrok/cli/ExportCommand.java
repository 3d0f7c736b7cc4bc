package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.torch.Exporter;
import io.jgrok.torch.StateDicts;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.nio.file.Path;

/** {@code jgrok export RUN_DIR --format tl-demo|pt --out PATH}: a run's checkpoints as PyTorch files. */
final class ExportCommand {
    private ExportCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.value("format", "F", "tl-demo: one file in the TransformerLens grokking demo's layout; "
                + "pt: one state dict per checkpoint, checkpoint_epoch_<E>.pt (required)"));
        o.addOption(Cli.value("out", "PATH", "the file (tl-demo, e.g. run.pth) or directory (pt) to write "
                + "(required)"));
        o.addOption(Cli.value("orientation", "O", "pt only: transformer-lens (default; jgrok's and TransformerLens's "
                + "names and shapes, with the zero biases and buffers TransformerLens expects) or paper (the "
                + "paper's Transformer class)"));
        o.addOption(Cli.flag("force", "replace existing files"));
        o.addOption(Cli.flag("quiet", "no progress bar"));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("export", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok export RUN_DIR --format tl-demo|pt --out PATH", "Write a run's checkpoints as "
                    + "PyTorch files (torch.load reads them; Python is not needed to write them).\n\n", options,
                    "\nSee docs/import-export.md.");
            return 0;
        }
        if (cl.getArgList().size() != 1) {
            throw new UserError("export takes one run directory, got " + (cl.getArgList().isEmpty() ? "none"
                    : cl.getArgList().size() + " arguments") + "; see ./jgrok export --help");
        }
        String format = cl.getOptionValue("format");
        if (format == null) {
            throw new UserError("export needs --format tl-demo or --format pt");
        }
        Exporter.Format f = switch (format) {
            case "tl-demo" -> Exporter.Format.TL_DEMO;
            case "pt" -> Exporter.Format.PT;
            default -> throw new UserError("--format must be tl-demo or pt; got '" + format + "'");
        };
        if (!cl.hasOption("out")) {
            throw new UserError("export needs --out PATH (a file for tl-demo, a directory for pt)");
        }
        String orientation = cl.getOptionValue("orientation", "transformer-lens");
        StateDicts.Orientation o = switch (orientation) {
            case "transformer-lens", "tl" -> StateDicts.Orientation.TRANSFORMER_LENS;
            case "paper" -> StateDicts.Orientation.PAPER;
            default -> throw new UserError("--orientation must be transformer-lens or paper; got '" + orientation
                    + "'");
        };
        if (f == Exporter.Format.TL_DEMO && o != StateDicts.Orientation.TRANSFORMER_LENS) {
            throw new UserError("--orientation paper applies to --format pt only; the TransformerLens demo's layout "
                    + "uses TransformerLens's orientation");
        }
        Exporter.run(new Exporter.Options(Path.of(cl.getArgList().get(0)), f, Path.of(cl.getOptionValue("out")), o,
                cl.hasOption("force"), !cl.hasOption("quiet"), System.out));
        return 0;
    }
}
