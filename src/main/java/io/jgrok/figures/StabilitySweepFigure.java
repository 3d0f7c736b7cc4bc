package io.jgrok.figures;

import io.jgrok.config.GradProjection;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.figures.TrainingFigures.TimeSeries;
import io.jgrok.io.History;
import io.jgrok.io.RunDirectory;
import org.knowm.xchart.XYChart;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The numerical-stability comparison of a sweep (Prieto et al. 2025's headline: softmax, StableMax and ⊥Grad without
 * weight decay, against weight decay): test accuracy and the float32 softmax collapse of the training examples over
 * training, one colour per condition (loss, gradient projection, weight decay), a thin line per seed and a thick one
 * for the median over seeds (over the epochs all of a condition's runs reached). Drawn for sweeps whose runs differ
 * in the loss or the gradient projection; it reads each run's config and history from the sweep directory: runs that
 * are done, and runs stopped early (status interrupted), which the caption counts.
 */
final class StabilitySweepFigure {
    static final String NAME = "sweep_stability";
    /** Points per faint per-run line (the medians get the usual Curves.MAX_POINTS); keeps the SVG small. */
    private static final int RUN_POINTS = 600;

    private StabilitySweepFigure() {
    }

    /** One condition: its label and the histories of its runs (done or stopped early). */
    record Condition(String label, List<History> runs) {
        /** Runs whose test accuracy reached 99%, and the median of those epochs (null when none did). */
        int grokked() {
            return (int) runs.stream().filter(h -> Headline.epochsToGrok(h) != null).count();
        }

        Long medianGrokEpoch() {
            long[] e = runs.stream().map(Headline::epochsToGrok).filter(x -> x != null).mapToLong(Long::longValue)
                    .sorted().toArray();
            return e.length == 0 ? null : e[(e.length - 1) / 2];
        }
    }

    /** The figure as a list of zero or one (the sweep varies neither the loss nor the projection: none). */
    static List<Figure> of(Path sweepDir, SweepSummary summary) {
        Map<String, List<History>> groups = new LinkedHashMap<>();
        java.util.Set<String> methods = new java.util.HashSet<>();
        int stopped = 0;
        for (SweepSummary.Run r : summary.runs()) {
            boolean early = "interrupted".equals(r.status());
            if (!r.done() && !early) {
                continue;
            }
            RunDirectory dir = new RunDirectory(sweepDir.resolve(r.dir()));
            if (!Files.exists(dir.history())) {
                continue;
            }
            RunConfig c = dir.readConfig();
            methods.add(c.loss() + "/" + c.gradProjection());
            groups.computeIfAbsent(label(c), k -> new ArrayList<>()).add(History.read(dir.history()));
            stopped += early ? 1 : 0;
        }
        if (methods.size() < 2) {
            return List.of();
        }
        List<Condition> conditions = new ArrayList<>();
        groups.forEach((k, v) -> conditions.add(new Condition(k, v)));
        return List.of(figure(conditions, stopped));
    }

    static String label(RunConfig c) {
        String method = c.loss() == LossFunction.STABLEMAX
                ? (c.gradProjection() == GradProjection.ORTHOGONAL ? "StableMax + \u22a5Grad" : "StableMax")
                : (c.gradProjection() == GradProjection.ORTHOGONAL ? "\u22a5Grad" : "softmax");
        return method + ", wd " + Style.number(c.weightDecay());
    }

    private static Figure figure(List<Condition> conditions, int stopped) {
        double maxEpoch = 1;
        int seeds = 0;
        StringBuilder caption = new StringBuilder("Thin lines: one run each; thick: the median over the runs of a "
                + "condition. Runs reaching 99% test accuracy, and the median epoch at which they did: ");
        for (int k = 0; k < conditions.size(); k++) {
            Condition c = conditions.get(k);
            for (History h : c.runs()) {
                maxEpoch = Math.max(maxEpoch, h.size() == 0 ? 0 : h.epoch(h.size() - 1));
            }
            seeds = Math.max(seeds, c.runs().size());
            Long med = c.medianGrokEpoch();
            caption.append(k == 0 ? "" : "; ").append(c.label()).append(' ').append(c.grokked()).append('/')
                    .append(c.runs().size()).append(med == null ? "" : String.format(Locale.ROOT, " (%,d)", med));
        }
        caption.append(". Float32 collapse: the share of training examples whose float32 softmax would have "
                + "collapsed (the loss itself is float64).");
        if (stopped > 0) {
            caption.append(String.format(Locale.ROOT, " %d of the runs were stopped before their last epoch and are "
                    + "drawn as far as they got.", stopped));
        }
        final double max = maxEpoch;
        String title = String.format(Locale.ROOT, "Softmax, StableMax and \u22a5Grad: test accuracy and float32 "
                + "softmax collapse (up to %d run%s per condition)", seeds, seeds == 1 ? "" : "s");
        return new Figure(NAME, "Numerical stability: softmax, StableMax, \u22a5Grad", caption.toString(), 1400, 560,
                (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, title, w, h);
                    // The second panel also holds the legend: give it the width the legend takes.
                    double left = area.getWidth() * 0.42;
                    Rectangle2D[] panels = {
                        new Rectangle2D.Double(area.getX(), area.getY(), left, area.getHeight()),
                        new Rectangle2D.Double(area.getX() + left, area.getY(), area.getWidth() - left,
                                area.getHeight())};
                    XYChart acc = TimeSeries.chart(panels[0], "Test accuracy", "test accuracy (%)", max, false, null);
                    TimeSeries.percentAxis(acc);
                    XYChart col = TimeSeries.chart(panels[1], "Training examples collapsed in float32",
                            "share of training examples (%)", max, false, null);
                    TimeSeries.percentAxis(col);
                    for (int k = 0; k < conditions.size(); k++) {
                        Condition c = conditions.get(k);
                        Color colour = Style.series(k);
                        Color faint = new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 90);
                        addCurves(acc, c, colour, faint, k, true);
                        addCurves(col, c, colour, faint, k, false);
                    }
                    // One legend, right of the second panel, serves both (same colours).
                    acc.getStyler().setLegendVisible(false);
                    col.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
                    col.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Vertical);
                    Layout.chart(g, acc, panels[0]);
                    Layout.chart(g, col, panels[1]);
                });
    }

    /** Per run a thin faint line, then the median over the condition's runs, thick and in the legend. */
    private static void addCurves(XYChart chart, Condition c, Color colour, Color faint, int k, boolean accuracy) {
        int n = Integer.MAX_VALUE;
        for (History h : c.runs()) {
            n = Math.min(n, h.size());
        }
        double[][] ys = new double[c.runs().size()][];
        double[] x = new double[n];
        for (int r = 0; r < c.runs().size(); r++) {
            History h = c.runs().get(r);
            ys[r] = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = h.epoch(i);
                ys[r][i] = 100 * (accuracy ? h.testAcc(i) : h.collapsedF32(i));
            }
            Curves.Series s = Curves.thin(Curves.finite(x, ys[r], false), RUN_POINTS);
            if (s.size() > 0 && c.runs().size() > 1) {
                Style.line(chart, c.label() + " #" + (r + 1), s.x(), s.y(), faint, Style.THIN_LINE)
                        .setShowInLegend(false);
            }
        }
        double[] median = new double[n];
        double[] column = new double[ys.length];
        for (int i = 0; i < n; i++) {
            int m = 0;
            for (double[] y : ys) {
                if (Double.isFinite(y[i])) {
                    column[m++] = y[i];
                }
            }
            Arrays.sort(column, 0, m);
            median[i] = m == 0 ? Double.NaN : (m % 2 == 1 ? column[m / 2] : (column[m / 2 - 1] + column[m / 2]) / 2);
        }
        TimeSeries.add(chart, c.label(), x, median, colour, false);
    }
}
