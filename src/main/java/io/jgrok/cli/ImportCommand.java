package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.torch.Importer;
import io.jgrok.torch.TorchRun;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.nio.file.Path;

/** {@code jgrok import FILE --out DIR}: a PyTorch checkpoint of the grokking model as a jgrok run directory. */
final class ImportCommand {
    private ImportCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.value("out", "DIR", "run directory to create (required)"));
        o.addOption(Cli.value("data_seed", "S", "split seed, when the file does not record one (the paper's files "
                + "often do not; default: the preset's, 0 for the paper)"));
        o.addOption(Cli.value("train_fraction", "F", "fraction of pairs used for training, when the file does not "
                + "record it (default 0.3)"));
        o.addOption(Cli.value("preset", "NAME", "paper or tl-demo: the training details the file does not record "
                + "(test-loss timing, warmup, Fourier order, split method); default: paper for the paper's "
                + "orientation, tl-demo for TransformerLens's"));
        o.addOption(Cli.value("epoch", "E", "checkpoint epoch for a model whose file does not say (a bare state "
                + "dict; default 0)"));
        o.addOption(Cli.flag("force", "replace the run in --out (deletes its outputs, as train --force does)"));
        o.addOption(Cli.flag("quiet", "no progress bar"));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("import", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok import FILE --out DIR [options]", "Import a PyTorch checkpoint (torch.save "
                    + "zip format) of the grokking transformer: a bare state dict, the paper's training file, the "
                    + "paper notebook's run file or the TransformerLens demo file, in the paper's or "
                    + "TransformerLens's orientation. Writes an ordinary run directory (config, split, history, "
                    + "one checkpoint per model) that analyze, figures, predict and train --resume use. Python is "
                    + "not needed.\n\n", options, "\nSee docs/import-export.md.");
            return 0;
        }
        if (cl.getArgList().size() != 1) {
            throw new UserError("import takes one file, got " + (cl.getArgList().isEmpty() ? "none"
                    : cl.getArgList().size() + " arguments") + "; see ./jgrok import --help");
        }
        if (!cl.hasOption("out")) {
            throw new UserError("import needs --out DIR (the run directory to create)");
        }
        Long dataSeed = cl.hasOption("data_seed") ? Cli.longValue(cl, "data_seed", 0) : null;
        Double fraction = cl.hasOption("train_fraction") ? Cli.doubleValue(cl, "train_fraction", 0) : null;
        if (fraction != null && !(fraction > 0 && fraction < 1)) {
            throw new UserError("--train_fraction must be in the open interval (0, 1), got " + fraction);
        }
        Long epoch = cl.hasOption("epoch") ? Cli.longValue(cl, "epoch", 0) : null;
        if (epoch != null && (epoch < 0 || epoch >= TorchRun.MAX_EPOCHS)) {
            throw new UserError("--epoch must be an integer from 0 to " + (TorchRun.MAX_EPOCHS - 1) + ", got "
                    + epoch);
        }
        String preset = cl.getOptionValue("preset");
        if (preset != null) {
            io.jgrok.config.Preset.named(preset);
        }
        Importer.run(new Importer.Options(Path.of(cl.getArgList().get(0)), Path.of(cl.getOptionValue("out")),
                dataSeed, fraction, preset, epoch, cl.hasOption("force"), !cl.hasOption("quiet"), System.out,
                System.err));
        return 0;
    }
}
