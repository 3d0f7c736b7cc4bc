package io.jgrok.cli;

import io.jgrok.UserError;
import io.jgrok.figures.Figures;
import io.jgrok.io.RunDirectory;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.nio.file.Path;

/** {@code jgrok figures RUN_DIR}: the paper's figures of an analysed run and a one-page HTML report. */
final class FiguresCommand {
    private FiguresCommand() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Cli.flag("embed", "put the images inside report.html (one self-contained file) instead of "
                + "linking RUN_DIR/figures/"));
        o.addOption(Cli.flag("debug", "show stack traces on errors"));
        o.addOption(Cli.flag("help", "show this help"));
        return o;
    }

    static int run(String[] args) {
        Options options = options();
        CommandLine cl = Cli.parse("figures", options, args);
        if (cl.hasOption("help")) {
            Cli.printHelp("./jgrok figures RUN_DIR [options]", "Draws the paper's figures from a run's analysis "
                    + "(run ./jgrok analyze RUN_DIR first) into RUN_DIR/figures/ as PNG and SVG, and writes "
                    + "RUN_DIR/report.html: config, headline numbers beside the paper's, and every figure with a "
                    + "caption. A directory holding sweep_summary.json also gets the sweep figures.\n\n",
                    options, "");
            return 0;
        }
        if (cl.getArgList().size() != 1) {
            throw new UserError("figures takes one run directory, got " + (cl.getArgList().isEmpty() ? "none"
                    : cl.getArgList().size() + " arguments") + "; see ./jgrok figures --help");
        }
        RunDirectory dir = new RunDirectory(Path.of(cl.getArgList().get(0)));
        LiveRunNotice.print(dir, "the figures show the training history as it is now and the last analysis (of the "
                + "checkpoint its summary names)", System.err);
        Figures.run(dir, new Figures.Options(cl.hasOption("embed"), System.out));
        return 0;
    }
}
