package io.jgrok.figures;

import io.jgrok.io.History;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

import java.awt.geom.Rectangle2D;
import java.util.Locale;

/** Figure 1 of the paper: train and test accuracy (linear) and loss (log) over training, with the phases. */
final class TrainingFigures {
    static final String NAME = "training_curves";

    private TrainingFigures() {
    }

    static Figure curves(RunData run, Phases phases) {
        History h = run.history;
        int n = h.size();
        double[] epoch = new double[n];
        double[] trainLoss = new double[n];
        double[] testLoss = new double[n];
        double[] trainAcc = new double[n];
        double[] testAcc = new double[n];
        for (int i = 0; i < n; i++) {
            epoch[i] = h.epoch(i);
            trainLoss[i] = h.trainLoss(i);
            testLoss[i] = h.testLoss(i);
            trainAcc[i] = 100 * h.trainAcc(i);
            testAcc[i] = 100 * h.testAcc(i);
        }
        double maxEpoch = n == 0 ? 1 : epoch[n - 1];
        String title = String.format(Locale.ROOT, "Training curves: (a + b) mod %d, %.0f%% of pairs for training, "
                + "weight decay %s", run.p(), 100 * run.config.trainFraction(), Style.number(run.config.weightDecay()));
        return new Figure(NAME, "Training curves",
                "Train accuracy reaches 100% early while test accuracy stays near chance (memorization); test "
                        + "loss then falls sharply in the cleanup phase (grokking). Dashed lines: phase boundaries.",
                1200, 500, (g, w, hgt) -> {
                    Rectangle2D[] panels = Layout.grid(Layout.title(g, title, w, hgt), 1, 2);
                    XYChart acc = TimeSeries.chart(panels[0], "Accuracy", "accuracy (%)", maxEpoch, false, phases);
                    TimeSeries.percentAxis(acc);
                    TimeSeries.add(acc, "train", epoch, trainAcc, 0, false);
                    TimeSeries.add(acc, "test", epoch, testAcc, 1, false);
                    Layout.chart(g, acc, panels[0]);
                    XYChart loss = TimeSeries.chart(panels[1], "Loss", "cross-entropy loss (log scale)", maxEpoch,
                            true, phases);
                    TimeSeries.add(loss, "train", epoch, trainLoss, 0, true);
                    TimeSeries.add(loss, "test", epoch, testLoss, 1, true);
                    Layout.chart(g, loss, panels[1]);
                });
    }

    /** Epoch charts with the common axes, legend below the plot and phase marks. */
    static final class TimeSeries {
        private TimeSeries() {
        }

        static XYChart chart(Rectangle2D panel, String title, String yTitle, double maxEpoch, boolean log,
                             Phases phases) {
            XYChart c = Style.lineChart((int) panel.getWidth(), (int) panel.getHeight(), title, "epoch", yTitle);
            Style.epochAxis(c, maxEpoch);
            if (log) {
                Style.logY(c.getStyler());
            }
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
            if (phases != null) {
                c.addAnnotation(PhaseMarks.of(phases));
            }
            return c;
        }

        /**
         * A 0-100% axis with headroom above 100: the phase names sit along the top of the plot, where accuracy
         * curves at 100% would otherwise run under them. Ticks above 100 are left unlabelled.
         */
        static void percentAxis(XYChart c) {
            c.getStyler().setYAxisMin(0.0).setYAxisMax(PERCENT_AXIS_MAX);
            // XChart keeps refining the tick spacing until all tick labels differ (equal blank labels made it loop
            // for ever), so each unlabelled tick gets its own count of zero-width spaces.
            c.getStyler().setyAxisTickLabelsFormattingFunction(v -> v > 100.5
                    ? "\u200b".repeat((int) Math.round(v * 10) - 1000)
                    : String.format(java.util.Locale.ROOT, "%.0f", v));
        }

        static final double PERCENT_AXIS_MAX = 112.0;

        /** Adds a curve in palette colour {@code colour}; returns false if nothing was drawable. */
        static boolean add(XYChart c, String name, double[] x, double[] y, int colour, boolean log) {
            return add(c, name, x, y, Style.series(colour), log);
        }

        static boolean add(XYChart c, String name, double[] x, double[] y, java.awt.Color colour, boolean log) {
            Curves.Series s = Curves.prepare(x, y, log);
            if (s.size() == 0) {
                return false;
            }
            Style.line(c, name, s.x(), s.y(), colour, Style.LINE);
            return true;
        }

        /**
         * Legend placement once the series are in: a row under the plot for a few series, a column to its right
         * for many (a row of ten would run off the figure).
         */
        static void placeLegend(XYChart c) {
            if (c.getSeriesMap().values().stream().filter(s -> s.isShowInLegend()).count() > 5) {
                c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
                c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
            }
        }

        /** Colour i of n for a family of curves (one per frequency): evenly spaced along the sequential map. */
        static java.awt.Color family(int i, int n) {
            return ColorMap.SEQUENTIAL.color(n <= 1 ? 0.35 : 0.9 * i / (n - 1.0));
        }
    }
}
