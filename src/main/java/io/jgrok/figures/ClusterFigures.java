package io.jgrok.figures;

import com.google.gson.JsonObject;
import io.jgrok.analysis.PaperNumbers;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Figure 7 (left) of the paper: the histogram over neurons of frac_explained, the fraction of a neuron's activation
 * variance explained by its own frequency, stacked by that frequency, with the clustering threshold marked. The bars
 * are XChart polygon series on a numeric axis (cumulative counts as closed step outlines, tallest first so that each
 * lower layer paints over the one above it), which puts the bin edges, not bin labels, on the axis.
 */
final class ClusterFigures {
    static final String FRAC_EXPLAINED = "frac_explained_histogram";
    static final int BINS = 40;

    private ClusterFigures() {
    }

    static Figure fracExplained(RunData run) {
        List<NeuronChoice.Pick> neurons = NeuronChoice.all(run);
        JsonObject nj = run.object("neurons");
        double threshold = RunData.number(nj, "threshold");
        int clustered = (int) neurons.stream().filter(NeuronChoice.Pick::clustered).count();
        int[] shown = ProgressFigures.strongest(run, ProgressFigures.MAX_FREQUENCY_CURVES);
        int layers = shown.length + 1;
        double[][] counts = new double[layers][BINS];
        for (NeuronChoice.Pick p : neurons) {
            if (Double.isNaN(p.frac())) {
                continue;
            }
            int b = Math.max(0, Math.min(BINS - 1, (int) Math.floor(p.frac() * BINS + 1e-9)));
            int layer = shown.length;
            for (int i = 0; i < shown.length; i++) {
                if (shown[i] == p.frequency()) {
                    layer = i;
                }
            }
            counts[layer][b]++;
        }
        double tallest = 0;
        for (int b = 0; b < BINS; b++) {
            double sum = 0;
            for (double[] layer : counts) {
                sum += layer[b];
            }
            tallest = Math.max(tallest, sum);
        }
        final double tallestBin = tallest;
        String subtitle = String.format(Locale.ROOT, "%d of %d neurons (%.1f%%) at or above %.2f (paper: %d of "
                + "%d, %.1f%%); bins of %.3f", clustered, neurons.size(),
                100.0 * clustered / Math.max(1, neurons.size()), threshold, PaperNumbers.NEURONS_CLUSTERED,
                PaperNumbers.NEURONS, 100 * PaperNumbers.FRACTION_CLUSTERED, 1.0 / BINS);
        return new Figure(FRAC_EXPLAINED, "Fraction of variance explained",
                "Most neurons sit far right: one frequency explains nearly all of their activation, so they "
                        + "cluster by frequency; neurons left of the threshold are unclustered.",
                1100, 560, (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, "Fraction of each neuron's activation variance explained by "
                            + "its frequency", w, h);
                    Layout.note(g, subtitle, 16, area.getY() + 10);
                    Rectangle2D chartArea = new Rectangle2D.Double(area.getX(), area.getY() + 16, area.getWidth(),
                            area.getHeight() - 16);
                    XYChart c = chart(counts, shown, threshold, tallestBin, (int) chartArea.getWidth(),
                            (int) chartArea.getHeight());
                    Layout.chart(g, c, chartArea);
                });
    }

    /**
     * The stacked histogram: {@code counts[layer][bin]}, layer i the neurons of frequency {@code shown[i]} and the
     * last layer the rest, with the threshold line.
     */
    static XYChart chart(double[][] counts, int[] shown, double threshold, double tallestBin, int width,
                         int height) {
        int layers = counts.length;
        XYChart c = Style.lineChart(width, height, null, "frac_explained of the neuron's own frequency", "neurons");
        c.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(Math.max(1, tallestBin) * 1.1);
        c.getStyler().setYAxisDecimalPattern("0");
        c.getStyler().setXAxisDecimalPattern("0.0#");
        // Beside the plot, not in it: wherever it sat inside, some histogram (a model that has not generalised
        // has its bars on the left) would run under it.
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        c.getStyler().setPlotContentSize(1.0);
        double[] below = new double[BINS];
        List<double[]> tops = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            double[] top = new double[BINS];
            for (int b = 0; b < BINS; b++) {
                top[b] = below[b] + counts[layer][b];
            }
            tops.add(top);
            below = top;
        }
        for (int layer = layers - 1; layer >= 0; layer--) {
            String name = layer == shown.length ? "other frequencies" : "k = " + shown[layer];
            Color colour = layer == shown.length ? new Color(0xBBBBBB)
                    : TrainingFigures.TimeSeries.family(layer, shown.length);
            double[][] step = steps(tops.get(layer));
            XYSeries s = c.addSeries(name, step[0], step[1]);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            s.setMarker(SeriesMarkers.NONE);
            s.setFillColor(colour);
            s.setLineColor(colour.darker());
            s.setLineWidth(0.8f);
            // A layer without neurons (often "other frequencies" in a small model) draws nothing, so it gets no
            // legend entry either.
            s.setShowInLegend(java.util.Arrays.stream(counts[layer]).sum() > 0);
        }
        c.addAnnotation(new Threshold(threshold));
        return c;
    }

    /** The outline of a histogram with bins of width 1/n over [0, 1]: x and y of its corners. */
    static double[][] steps(double[] heights) {
        int n = heights.length;
        double[] x = new double[2 * n + 2];
        double[] y = new double[2 * n + 2];
        x[0] = 0;
        y[0] = 0;
        for (int b = 0; b < n; b++) {
            x[2 * b + 1] = (double) b / n;
            y[2 * b + 1] = heights[b];
            x[2 * b + 2] = (double) (b + 1) / n;
            y[2 * b + 2] = heights[b];
        }
        x[2 * n + 1] = 1;
        y[2 * n + 1] = 0;
        return new double[][] {x, y};
    }

    /** The clustering threshold as a dashed vertical line with its value. */
    static final class Threshold extends Annotation {
        private final double value;

        Threshold(double value) {
            super(false);
            this.value = value;
        }

        @Override
        public void paint(Graphics2D g0) {
            Graphics2D g = (Graphics2D) g0.create();
            try {
                double x = getXAxisScreenValue(value);
                double top = getYAxisScreenValueForMin();
                double bottom = getYAxisScreenValueForMax();
                g.setColor(Style.BLACK);
                g.setStroke(Style.DASHED);
                g.draw(new Line2D.Double(x, top, x, bottom));
                g.setFont(Style.SMALL);
                FontMetrics fm = g.getFontMetrics();
                String s = String.format(Locale.ROOT, "threshold %.2f", value);
                g.drawString(s, (float) (x - fm.stringWidth(s) - 4), (float) (top + fm.getAscent() + 4));
            } finally {
                g.dispose();
            }
        }

        @Override
        public Rectangle2D getBounds() {
            return new Rectangle2D.Double();
        }
    }
}
