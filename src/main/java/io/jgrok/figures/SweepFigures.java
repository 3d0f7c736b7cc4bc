package io.jgrok.figures;

import org.knowm.xchart.AnnotationLine;
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
 * the training fraction (each over the runs that share the sweep's most common value of the other parameter, one
 * point per seed and a line through the medians), and how often each frequency is a key frequency across runs.
 */
final class SweepFigures {
    static final String WEIGHT_DECAY = "sweep_weight_decay";
    static final String TRAIN_FRACTION = "sweep_train_fraction";
    static final String KEY_FREQUENCIES = "sweep_key_frequencies";

    private SweepFigures() {
    }

    /** The sweep figures the summary has data for (a parameter needs two or more values to be plotted against). */
    static List<Figure> all(SweepSummary s) {
        List<Figure> out = new ArrayList<>();
        double fraction = mostCommon(s.runs(), SweepSummary.Run::trainFraction);
        List<SweepSummary.Run> byDecay = s.runs().stream().filter(r -> r.trainFraction() == fraction).toList();
        if (distinct(byDecay, SweepSummary.Run::weightDecay) >= 2) {
            out.add(grokTime(s, byDecay, WEIGHT_DECAY, "Epochs to grok against weight decay",
                    String.format(Locale.ROOT, "Epochs to grok against weight decay (%.0f%% of pairs for training)",
                            100 * fraction), "weight decay", SweepSummary.Run::weightDecay,
                    "The paper reports weight decay 0.3 grokking in about 3k epochs, 1.0 in 5\u201310k and 3.0 in "
                            + "about 20k, and no grokking without weight decay."));
        }
        double decay = mostCommon(s.runs(), SweepSummary.Run::weightDecay);
        List<SweepSummary.Run> byFraction = s.runs().stream().filter(r -> r.weightDecay() == decay).toList();
        if (distinct(byFraction, SweepSummary.Run::trainFraction) >= 2) {
            out.add(grokTime(s, byFraction, TRAIN_FRACTION, "Epochs to grok against training fraction",
                    "Epochs to grok against the fraction of pairs used for training (weight decay "
                            + Style.number(decay) + ")", "training fraction (%)", r -> 100 * r.trainFraction(),
                    "The paper reports that 30\u201350% of the data groks, 60% or more generalises almost at once, and "
                            + "10\u201320% does not grok within 40k epochs."));
        }
        if (s.runs().stream().anyMatch(r -> r.keyFrequencies() != null)) {
            out.add(keyFrequencies(s));
        }
        return out;
    }

    private static Figure grokTime(SweepSummary s, List<SweepSummary.Run> all, String name, String shortTitle,
                                   String fullTitle, String xTitle, ToDoubleFunction<SweepSummary.Run> x,
                                   String caption) {
        GrokPoints points = grokPoints(s, all, x);
        String title = points.left() == 0 ? fullTitle : fullTitle + String.format(Locale.ROOT,
                " \u2014 %d of %d runs not finished, left out", points.left(), all.size());
        double[] values = points.values();
        List<Double> gx = points.grokkedX();
        List<Double> gy = points.grokkedY();
        List<Double> nx = points.notGrokkedX();
        List<Double> ny = points.notGrokkedY();
        List<Double> mx = points.medianX();
        List<Double> my = points.medianY();
        return new Figure(name, shortTitle, caption, 1000, 600, (g, w, h) -> {
            Rectangle2D area = Layout.title(g, title, w, h);
            XYChart c = Style.lineChart((int) area.getWidth(), (int) area.getHeight(), null, xTitle,
                    "epochs to reach 99% test accuracy");
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
            if (!mx.isEmpty()) {
                Style.line(c, "median over seeds (not grokking counts as slowest)",
                        mx.stream().mapToDouble(Double::doubleValue).toArray(),
                        my.stream().mapToDouble(Double::doubleValue).toArray(), Style.BLUE, Style.THIN_LINE);
            }
            if (!gx.isEmpty()) {
                XYSeries pts = c.addSeries("one run", gx.stream().mapToDouble(Double::doubleValue).toArray(),
                        gy.stream().mapToDouble(Double::doubleValue).toArray());
                pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                pts.setMarker(SeriesMarkers.CIRCLE);
                pts.setMarkerColor(Style.BLUE);
            }
            if (!nx.isEmpty()) {
                XYSeries no = c.addSeries("did not grok within " + Style.epochLabel(s.nEpochs(), s.nEpochs())
                                + " epochs", nx.stream().mapToDouble(Double::doubleValue).toArray(),
                        ny.stream().mapToDouble(Double::doubleValue).toArray());
                no.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                no.setMarker(SeriesMarkers.CROSS);
                no.setMarkerColor(Style.VERMILLION);
            }
            c.addAnnotation(new AnnotationLine(s.nEpochs(), false, false));
            Layout.chart(g, c, area);
        });
    }

    /**
     * What a grokking-time figure plots: the swept values (x positions 0, 1, ... label them), one point per finished
     * run that grokked, one per finished run that did not (drawn at n_epochs), the censored median per value, and
     * how many runs were left out because they have not finished.
     */
    record GrokPoints(double[] values, List<Double> grokkedX, List<Double> grokkedY, List<Double> notGrokkedX,
                      List<Double> notGrokkedY, List<Double> medianX, List<Double> medianY, int left) {
    }

    static GrokPoints grokPoints(SweepSummary s, List<SweepSummary.Run> all, ToDoubleFunction<SweepSummary.Run> x) {
        // Runs that have not trained to their end (pending, running, failed, interrupted: e.g. SLURM shards still
        // out) have no grokking time yet; drawing them as "did not grok" would be wrong.
        List<SweepSummary.Run> runs = all.stream().filter(SweepSummary.Run::done).toList();
        // The swept values sit at evenly spaced positions labelled with their values: sweeps use a handful of
        // values spread over decades, and include 0 (no weight decay), which no log axis can show.
        double[] values = all.stream().mapToDouble(x).distinct().sorted().toArray();
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

    private static double mostCommon(List<SweepSummary.Run> runs, ToDoubleFunction<SweepSummary.Run> f) {
        Map<Double, Integer> counts = new HashMap<>();
        double best = Double.NaN;
        int bestCount = 0;
        for (SweepSummary.Run r : runs) {
            double v = f.applyAsDouble(r);
            int c = counts.merge(v, 1, Integer::sum);
            if (c > bestCount || (c == bestCount && v < best)) {
                best = v;
                bestCount = c;
            }
        }
        return best;
    }

    private static long distinct(List<SweepSummary.Run> runs, ToDoubleFunction<SweepSummary.Run> f) {
        return runs.stream().mapToDouble(f).distinct().count();
    }
}
