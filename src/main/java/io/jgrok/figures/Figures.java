package io.jgrok.figures;

import io.jgrok.UserError;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.RunDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jgrok figures RUN_DIR}: draws every figure of an analysed run (and, when the directory holds a
 * {@link SweepSummary}, the sweep figures) into {@code RUN_DIR/figures/} as PNG and SVG, and writes
 * {@code RUN_DIR/report.html}.
 */
public final class Figures {
    /** Relative path from the report to the figures, as used in its links. */
    static final String FIGURES_HREF = "figures";

    private Figures() {
    }

    /** @param embed inline the PNGs in report.html (one self-contained file) instead of linking figures/ */
    public record Options(boolean embed, PrintStream out) {
    }

    /** What was written: the figures in report order and the report. */
    public record Result(List<Figure> figures, Path figuresDir, Path report) {
    }

    public static Result run(RunDirectory dir, Options options) {
        if (!Files.isDirectory(dir.root())) {
            throw new UserError("run directory " + dir.root() + " does not exist");
        }
        System.setProperty("java.awt.headless", "true");
        Path sweepFile = dir.root().resolve(SweepSummary.FILE);
        boolean sweep = Files.exists(sweepFile);
        boolean analysed = Files.exists(dir.analysis().resolve(io.jgrok.analysis.AnalysisFiles.SUMMARY));
        RunData run = !sweep || analysed ? RunData.load(dir) : null;
        List<Figure> figures = new ArrayList<>();
        if (run != null) {
            figures.addAll(RunFigures.all(run));
        }
        if (sweep) {
            SweepSummary summary = SweepSummary.read(sweepFile);
            figures.addAll(SweepFigures.all(summary));
            figures.addAll(StabilitySweepFigure.of(dir.root(), summary));
        }
        Path out = dir.figures();
        try {
            Files.createDirectories(out);
            for (Figure f : figures) {
                FigureFiles.write(f, out);
            }
            String title = (run != null ? "jgrok run report: " : "jgrok sweep report: ") + dir.root().getFileName();
            String html = ReportPage.html(run, title, figures, out, options.embed(), FIGURES_HREF,
                    sweep ? SweepTable.html(sweepFile, dir.root()) : null);
            AtomicFiles.writeString(dir.report(), html);
        } catch (IOException e) {
            io.jgrok.io.WriteError.throwIfDiskFull(e, "the run and its analysis are untouched; the figures written "
                    + "before it are whole");
            throw new UserError("cannot write the figures or the report in " + dir.root() + ": "
                    + io.jgrok.io.IoErrors.describe(e), e);
        }
        options.out().println("wrote " + figures.size() + " figures (PNG and SVG) to " + out);
        options.out().println("wrote " + dir.report() + (options.embed() ? " (images embedded)" : ""));
        if (run != null && !AgopFigures.present(run)) {
            options.out().println(AgopFigures.NOT_COMPUTED);
        }
        return new Result(List.copyOf(figures), out, dir.report());
    }
}
