package io.jgrok.figures;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The paper's sweep figures (appendix), from a {@link SweepSummary}: epochs to grok against weight decay and against
 * the training fraction (every run of the sweep, grouped by the other parameter: one point per run and a line
 * through each group's medians), and how often each frequency is a key frequency across runs.
 */
final class SweepFigures {
    static final String WEIGHT_DECAY = "sweep_weight_decay";
    static final String TRAIN_FRACTION = "sweep_train_fraction";
    static final String KEY_FREQUENCIES = "sweep_key_frequencies";

    private SweepFigures() {
    }

    /**
     * A grokking-time figure: its file and titles, the swept parameter on x and the other one, by which the runs
     * are grouped (one colour each).
     */
    record GrokAxis(String name, String shortTitle, String xTitle, ToDoubleFunction<SweepSummary.Run> x,
                    ToDoubleFunction<SweepSummary.Run> group, String groupName,
                    java.util.function.DoubleFunction<String> groupLabel, String caption) {
    }

    static final GrokAxis BY_WEIGHT_DECAY = new GrokAxis(WEIGHT_DECAY, "Epochs to grok against weight decay",
            "weight decay", SweepSummary.Run::weightDecay, SweepSummary.Run::trainFraction, "training fraction",
            f -> Style.number(100 * f) + "% of pairs for training",
            "The paper reports weight decay 0.3 grokking in about 3k epochs, 1.0 in 5\u201310k and 3.0 in about 20k, "
                    + "and no grokking without weight decay.");

    static final GrokAxis BY_TRAIN_FRACTION = new GrokAxis(TRAIN_FRACTION, "Epochs to grok against training fraction",
            "training fraction (%)", r -> 100 * r.trainFraction(), SweepSummary.Run::weightDecay, "weight decay",
            d -> "weight decay " + Style.number(d),
            "The paper reports that 30\u201350% of the data groks, 60% or more generalises almost at once, and "
                    + "10\u201320% does not grok within 40k epochs.");

    /** The sweep figures the summary has data for (a parameter needs two or more values to be plotted against). */
    static List<Figure> all(SweepSummary s) {
        List<Figure> out = new ArrayList<>();
        for (GrokAxis a : List.of(BY_WEIGHT_DECAY, BY_TRAIN_FRACTION)) {
            if (distinct(s.runs(), a.x()) >= 2) {
                out.add(grokTime(s, a));
            }
        }
        if (s.runs().stream().anyMatch(r -> r.keyFrequencies() != null)) {
            out.add(keyFrequencies(s));
        }
        return out;
    }

    /**
     * Epochs to grok against one swept parameter, over every run of the sweep: the runs are grouped by the other
     * parameter (weight decay or training fraction), one colour per group, and each group's censored median joined
     * by a line. (Groups are not shifted sideways to keep apart: the axis puts its ticks on the swept values only
     * while every x is one of them, and XChart searches for distinct tick labels for ever otherwise.)
     */
    private static Figure grokTime(SweepSummary s, GrokAxis a) {
        List<SweepSummary.Run> all = s.runs();
        double[] groups = all.stream().mapToDouble(a.group()).distinct().sorted().toArray();
        int left = (int) all.stream().filter(r -> !r.done()).count();
        String title = a.shortTitle() + (groups.length == 1 ? " (" + a.groupLabel().apply(groups[0]) + ")" : "")
                + (left == 0 ? "" : String.format(Locale.ROOT, " \u2014 %d of %d runs not finished, left out", left,
                all.size()));
        String note = "\u25cf one run; \u00d7 did not grok within " + Style.epochLabel(s.nEpochs(), s.nEpochs())
                + " epochs (\u00d7 N: N runs); \u25c6 medians, joined by lines (a run that did not grok counts as "
                + "slowest)"
                + (groups.length > 1 ? "; colour: " + a.groupName() : "");
        return new Figure(a.name(), a.shortTitle(), a.caption(), 1000, 600, (g, w, h) -> {
            Rectangle2D area = Layout.title(g, title, w, h);
            Layout.note(g, note, 16, area.getY() + 10);
            Rectangle2D chartArea = new Rectangle2D.Double(area.getX(), area.getY() + 16, area.getWidth(),
                    area.getHeight() - 16);
            Layout.chart(g, grokChart(s, a, (int) chartArea.getWidth(), (int) chartArea.getHeight()), chartArea);
        });
    }

    /** The chart of {@link #grokTime}: one group of series per value of the grouping parameter. */
    static XYChart grokChart(SweepSummary s, GrokAxis a, int width, int height) {
        double[] values = s.runs().stream().mapToDouble(a.x()).distinct().sorted().toArray();
        double[] groups = s.runs().stream().mapToDouble(a.group()).distinct().sorted().toArray();
        List<GrokPoints> points = groups(s, a.x(), a.group());
        XYChart c = Style.lineChart(width, height, null, a.xTitle(), "epochs to reach 99% test accuracy");
        // Ticks land on the data positions when they are evenly spaced and span the axis, so the axis keeps
        // its range and the plot content shrinks instead, leaving room around the first and last points.
        c.getStyler().setPlotContentSize(0.86);
        c.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
            long i = Math.round(v);
            return Math.abs(v - i) < 1e-6 && i >= 0 && i < values.length ? Style.number(values[(int) i]) : "";
        });
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(s.nEpochs() * 1.05);
        c.getStyler().setyAxisTickLabelsFormattingFunction(v -> Style.epochLabel(v, s.nEpochs()));
        c.getStyler().setMarkerSize(9);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setAnnotationLineColor(Style.GREY);
        c.getStyler().setAnnotationLineStroke(Style.DASHED);
        // An invisible series at every position makes the axis put one tick at each swept value.
        XYSeries ticks = c.addSeries(" ", java.util.stream.IntStream.range(0, values.length).asDoubleStream()
                .toArray(), new double[values.length]);
        ticks.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        ticks.setMarker(SeriesMarkers.NONE);
        ticks.setShowInLegend(false);
        for (int gi = 0; gi < groups.length; gi++) {
            GrokPoints pt = points.get(gi);
            java.awt.Color colour = groups.length == 1 ? Style.BLUE : Style.series(gi);
            // The group's name goes on the first of its series that has points, so every legend entry
            // stands for something drawn.
            String label = groups.length == 1 ? "runs" : a.groupLabel().apply(groups[gi]);
            boolean named = false;
            if (!pt.grokkedX().isEmpty()) {
                XYSeries pts = c.addSeries(label, doubles(pt.grokkedX()), doubles(pt.grokkedY()));
                pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                pts.setMarker(SeriesMarkers.CIRCLE);
                pts.setMarkerColor(colour);
                named = true;
            }
            if (!pt.notGrokkedX().isEmpty()) {
                XYSeries no = c.addSeries(named ? label + " (did not grok)" : label,
                        doubles(pt.notGrokkedX()), doubles(pt.notGrokkedY()));
                no.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                no.setMarker(SeriesMarkers.CROSS);
                no.setMarkerColor(colour);
                no.setShowInLegend(!named);
                named = true;
            }
            if (!pt.medianX().isEmpty()) {
                XYSeries med = Style.line(c, named ? label + " (median)" : label, doubles(pt.medianX()),
                        doubles(pt.medianY()), colour, Style.THIN_LINE);
                // A marker at each median, so that a median at a single value is drawn too.
                med.setMarker(SeriesMarkers.DIAMOND);
                med.setMarkerColor(colour);
                med.setShowInLegend(!named);
            }
        }
        c.addAnnotation(new AnnotationLine(s.nEpochs(), false, false));
        // Runs that did not grok all sit at n_epochs, one x on top of another: a count under each pile says how
        // many there are (four runs read as one x otherwise). Under, not beside: the last value is at the
        // plot's right edge.
        notGrokkedAt(points).forEach((at, n) -> {
            if (n > 1) {
                c.addAnnotation(new AnnotationText(pileLabel(n), at, s.nEpochs() * 0.95, false));
            }
        });
        return c;
    }

    /** How many runs did not grok at each x position, over all groups. */
    static Map<Integer, Integer> notGrokkedAt(List<GrokPoints> groups) {
        Map<Integer, Integer> out = new TreeMap<>();
        for (GrokPoints g : groups) {
            for (double x : g.notGrokkedX()) {
                out.merge((int) Math.round(x), 1, Integer::sum);
            }
        }
        return out;
    }

    static String pileLabel(int runs) {
        return "\u00d7 " + runs + " runs";
    }

    /** The grokking-time points of each group of runs (by the value of {@code group}, ascending), at common x. */
    static List<GrokPoints> groups(SweepSummary s, ToDoubleFunction<SweepSummary.Run> x,
                                   ToDoubleFunction<SweepSummary.Run> group) {
        double[] values = s.runs().stream().mapToDouble(x).distinct().sorted().toArray();
        List<GrokPoints> out = new ArrayList<>();
        for (double gv : s.runs().stream().mapToDouble(group).distinct().sorted().toArray()) {
            out.add(grokPoints(s, s.runs().stream().filter(r -> group.applyAsDouble(r) == gv).toList(), x, values));
        }
        return out;
    }

    private static double[] doubles(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * What a grokking-time figure plots for one group of runs: the swept values (x positions 0, 1, ... label them),
     * one point per finished run that grokked, one per finished run that did not (drawn at n_epochs), the censored
     * median per value, and how many runs were left out because they have not finished.
     */
    record GrokPoints(double[] values, List<Double> grokkedX, List<Double> grokkedY, List<Double> notGrokkedX,
                      List<Double> notGrokkedY, List<Double> medianX, List<Double> medianY, int left) {
    }

    /** {@link #grokPoints(SweepSummary, List, ToDoubleFunction, double[])} at the values of {@code all}. */
    static GrokPoints grokPoints(SweepSummary s, List<SweepSummary.Run> all, ToDoubleFunction<SweepSummary.Run> x) {
        return grokPoints(s, all, x, all.stream().mapToDouble(x).distinct().sorted().toArray());
    }

    /** @param values the swept values, ascending: value i is drawn at x position i */
    static GrokPoints grokPoints(SweepSummary s, List<SweepSummary.Run> all, ToDoubleFunction<SweepSummary.Run> x,
                                 double[] values) {
        // Runs that have not trained to their end (pending, running, failed, interrupted: e.g. SLURM shards still
        // out) have no grokking time yet; drawing them as "did not grok" would be wrong.
        List<SweepSummary.Run> runs = all.stream().filter(SweepSummary.Run::done).toList();
        // The swept values sit at evenly spaced positions labelled with their values: sweeps use a handful of
        // values spread over decades, and include 0 (no weight decay), which no log axis can show.
        Map<Double, Integer> position = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            position.put(values[i], i);
        }
        List<Double> gx = new ArrayList<>();
        List<Double> gy = new ArrayList<>();
        List<Double> nx = new ArrayList<>();
        List<Double> ny = new ArrayList<>();
        Map<Integer, List<Long>> byX = new TreeMap<>();
        for (SweepSummary.Run r : runs) {
            int at = position.get(x.applyAsDouble(r));
            byX.computeIfAbsent(at, k -> new ArrayList<>()).add(r.epochsToGrok());
            if (r.epochsToGrok() != null) {
                gx.add((double) at);
                gy.add((double) r.epochsToGrok());
            } else {
                nx.add((double) at);
                ny.add((double) s.nEpochs());
            }
        }
        List<Double> mx = new ArrayList<>();
        List<Double> my = new ArrayList<>();
        for (Map.Entry<Integer, List<Long>> e : byX.entrySet()) {
            Double median = censoredMedian(e.getValue());
            if (median != null) {
                mx.add((double) e.getKey());
                my.add(median);
            }
        }
        return new GrokPoints(values, gx, gy, nx, ny, mx, my, all.size() - runs.size());
    }

    /**
     * Median of grokking times where null (never grokked within the run's epochs) counts as later than any time:
     * a censored sample. Null when the median itself is a run that never grokked, or there are no runs.
     */
    static Double censoredMedian(List<Long> epochsToGrok) {
        int n = epochsToGrok.size();
        if (n == 0) {
            return null;
        }
        List<Long> v = new ArrayList<>(epochsToGrok);
        v.sort(java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()));
        Long lo = v.get((n - 1) / 2);
        Long hi = v.get(n / 2);
        return lo == null || hi == null ? null : (lo + hi) / 2.0;
    }

    private static Figure keyFrequencies(SweepSummary s) {
        int nf = (s.p() - 1) / 2;
        int analysed = 0;
        double[] count = new double[nf];
        Map<Integer, Integer> sizes = new TreeMap<>();
        for (SweepSummary.Run r : s.runs()) {
            if (r.keyFrequencies() == null) {
                continue;
            }
            analysed++;
            sizes.merge(r.keyFrequencies().length, 1, Integer::sum);
            for (int k : r.keyFrequencies()) {
                if (k >= 1 && k <= nf) {
                    count[k - 1]++;
                }
            }
        }
        StringBuilder dist = new StringBuilder();
        sizes.forEach((n, runs) -> dist.append(dist.length() == 0 ? "" : ", ").append(runs)
                .append(runs == 1 ? " run" : " runs").append(" with ").append(n));
        String subtitle = analysed + " analysed runs; number of key frequencies: " + dist
                + " (paper: 5 in the main run, 3 to 4 for other seeds)";
        List<String> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int k = 1; k <= nf; k++) {
            xs.add(Integer.toString(k));
            ys.add(count[k - 1]);
        }
        return new Figure(KEY_FREQUENCIES, "Key frequencies across runs",
                "Each run picks its own few key frequencies; no frequency is special across seeds.",
                1200, 520, (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, "How often each frequency is a key frequency, over the "
                            + "sweep's runs", w, h);
                    Layout.note(g, subtitle, 16, area.getY() + 10);
                    Rectangle2D chartArea = new Rectangle2D.Double(area.getX(), area.getY() + 16, area.getWidth(),
                            area.getHeight() - 16);
                    CategoryChart c = Style.barChart((int) chartArea.getWidth(), (int) chartArea.getHeight(), null,
                            "frequency k", "runs with k as a key frequency");
                    c.getStyler().setLegendVisible(false);
                    c.getStyler().setYAxisMin(0.0);
                    c.getStyler().setYAxisDecimalPattern("0");
                    c.getStyler().setXAxisMaxLabelCount(nf > 60 ? 30 : 0);
                    CategorySeries bars = c.addSeries("runs", xs, ys);
                    bars.setFillColor(Style.BLUE);
                    Layout.chart(g, c, chartArea);
                });
    }

    private static long distinct(List<SweepSummary.Run> runs, ToDoubleFunction<SweepSummary.Run> f) {
        return runs.stream().mapToDouble(f).distinct().count();
    }
}
