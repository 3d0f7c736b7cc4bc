package io.jgrok.figures;

import io.jgrok.figures.TrainingFigures.TimeSeries;
import org.knowm.xchart.XYChart;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The progress measures over training (figure 8 of the paper and its appendix), from analysis/progress.json: one
 * value per checkpoint, with the analysis's phase boundaries.
 */
final class ProgressFigures {
    static final String MEASURES = "progress_measures";
    static final String EXCLUDED_PER_FREQUENCY = "excluded_loss_per_frequency";
    static final String KEY_AMPLITUDES = "key_frequency_amplitudes";
    static final String ACCURACIES = "restricted_excluded_accuracy";

    /** Curves per frequency beyond this many make a legend nobody can read; the strongest are kept. */
    static final int MAX_FREQUENCY_CURVES = 8;

    private ProgressFigures() {
    }

    static Figure measures(RunData run, Phases phases) {
        RunData.Progress pr = run.progress;
        double[] x = Curves.toDouble(pr.epochs());
        double max = pr.lastEpoch();
        String keys = keyList(run.keyFrequencies);
        return new Figure(MEASURES, "Progress measures",
                "Excluded loss rises above train loss during circuit formation, while test loss is still high; "
                        + "restricted loss falls before test loss does; Gini rises and the weight norm falls "
                        + "through circuit formation and cleanup.",
                1200, 940, (g, w, h) -> {
                    Rectangle2D[] p = Layout.grid(Layout.title(g, "Progress measures over training (key frequencies "
                            + keys + ")", w, h), 2, 2);
                    XYChart ex = TimeSeries.chart(p[0], "Excluded loss (key frequencies removed)",
                            "cross-entropy loss (log scale)", max, true, phases);
                    TimeSeries.add(ex, "train", x, pr.column("train_loss"), 0, true);
                    TimeSeries.add(ex, "test", x, pr.column("test_loss"), 1, true);
                    TimeSeries.add(ex, "excluded (train pairs)", x, pr.column("excluded_loss"), 2, true);
                    Layout.chart(g, ex, p[0]);

                    XYChart re = TimeSeries.chart(p[1], "Restricted loss (key frequencies only)",
                            "cross-entropy loss (log scale)", max, true, phases);
                    TimeSeries.add(re, "train", x, pr.column("train_loss"), 0, true);
                    TimeSeries.add(re, "test", x, pr.column("test_loss"), 1, true);
                    TimeSeries.add(re, "restricted (all pairs)", x, pr.column("restricted_loss"), 3, true);
                    Layout.chart(g, re, p[1]);

                    XYChart gi = TimeSeries.chart(p[2], "Gini coefficient of Fourier-component norms",
                            "Gini coefficient (0 = even, 1 = sparse)", max, false, phases);
                    TimeSeries.add(gi, "W_E (embedding)", x, pr.column("gini_w_e"), 4, false);
                    TimeSeries.add(gi, "W_L (neuron-to-logit map)", x, pr.column("gini_w_l"), 5, false);
                    Layout.chart(g, gi, p[2]);

                    XYChart ws = TimeSeries.chart(p[3], "Total sum of squared weights", "\u03a3 w\u00b2 over all "
                            + "parameters", max, false, phases);
                    ws.getStyler().setYAxisDecimalPattern("0");
                    TimeSeries.add(ws, "sum of squared weights", x, pr.column("sum_sq_weights"), 6, false);
                    Layout.chart(g, ws, p[3]);
                });
    }

    static Figure excludedPerFrequency(RunData run, Phases phases) {
        RunData.Progress pr = run.progress;
        double[] x = Curves.toDouble(pr.epochs());
        int[] shown = strongest(run, MAX_FREQUENCY_CURVES);
        String note = shown.length < run.keyFrequencies.length
                ? " (" + shown.length + " of " + run.keyFrequencies.length + " key frequencies, largest final amplitude)"
                : "";
        return new Figure(EXCLUDED_PER_FREQUENCY, "Excluded loss per key frequency",
                "Removing any single key frequency from the logits hurts the train loss more and more as the circuit "
                        + "forms: every key frequency is used by the final algorithm.",
                1100, 620, (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, "Excluded loss, one key frequency removed at a time" + note,
                            w, h);
                    XYChart c = TimeSeries.chart(area, null, "cross-entropy loss on train pairs (log scale)",
                            pr.lastEpoch(), true, phases);
                    TimeSeries.add(c, "train", x, pr.column("train_loss"), 0, true);
                    TimeSeries.add(c, "test", x, pr.column("test_loss"), 1, true);
                    TimeSeries.add(c, "all keys removed", x, pr.column("excluded_loss"), 6, true);
                    for (int i = 0; i < shown.length; i++) {
                        TimeSeries.add(c, "k = " + shown[i] + " removed", x,
                                pr.column("excluded_loss_k" + shown[i]), TimeSeries.family(i, shown.length), true);
                    }
                    TimeSeries.placeLegend(c);
                    Layout.chart(g, c, area);
                });
    }

    static Figure keyAmplitudes(RunData run, Phases phases) {
        RunData.Progress pr = run.progress;
        double[] x = Curves.toDouble(pr.epochs());
        int[] shown = strongest(run, MAX_FREQUENCY_CURVES);
        return new Figure(KEY_AMPLITUDES, "Key-frequency terms in the logits",
                "The coefficient of cos(w_k(a+b\u2212c)) in the logits for the strongest frequencies over "
                        + "training: the key frequencies' coefficients grow during circuit formation, long before "
                        + "the test loss falls.",
                1100, 620, (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, "Coefficient of cos(w\u2096(a + b \u2212 c)) in the logits, "
                            + "w\u2096 = 2\u03c0k/" + run.p(), w, h);
                    XYChart c = TimeSeries.chart(area, null, "coefficient (logit units)", pr.lastEpoch(), false,
                            phases);
                    for (int i = 0; i < shown.length; i++) {
                        TimeSeries.add(c, "k = " + shown[i], x, pr.column("amplitude_k" + shown[i]),
                                TimeSeries.family(i, shown.length), false);
                    }
                    TimeSeries.placeLegend(c);
                    Layout.chart(g, c, area);
                });
    }

    static Figure accuracies(RunData run, Phases phases) {
        RunData.Progress pr = run.progress;
        double[] x = Curves.toDouble(pr.epochs());
        return new Figure(ACCURACIES, "Restricted and excluded accuracy",
                "Restricted accuracy (logits cut down to the key frequencies) reaches 100% before test accuracy "
                        + "does; excluded accuracy on the train pairs collapses as the memorised solution is "
                        + "replaced.",
                1100, 560, (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, "Accuracy of the full, restricted and excluded logits", w, h);
                    XYChart c = TimeSeries.chart(area, null, "accuracy (%)", pr.lastEpoch(), false, phases);
                    TimeSeries.percentAxis(c);
                    TimeSeries.add(c, "train", x, percent(pr.column("train_acc")), 0, false);
                    TimeSeries.add(c, "test", x, percent(pr.column("test_acc")), 1, false);
                    TimeSeries.add(c, "restricted (all pairs)", x, percent(pr.column("restricted_acc")), 3, false);
                    TimeSeries.add(c, "excluded (train pairs)", x, percent(pr.column("excluded_acc")), 2, false);
                    Layout.chart(g, c, area);
                });
    }

    /** Up to {@code limit} key frequencies, those with the largest final amplitude, in ascending order. */
    static int[] strongest(RunData run, int limit) {
        int[] keys = run.keyFrequencies;
        if (keys.length <= limit) {
            return keys.clone();
        }
        List<Integer> order = new ArrayList<>();
        for (int k : keys) {
            order.add(k);
        }
        order.sort(Comparator.comparingDouble((Integer k) -> -last(run.progress.column("amplitude_k" + k))));
        return order.subList(0, limit).stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static double last(double[] v) {
        for (int i = v.length - 1; i >= 0; i--) {
            if (Double.isFinite(v[i])) {
                return Math.abs(v[i]);
            }
        }
        return 0;
    }

    private static double[] percent(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = 100 * v[i];
        }
        return out;
    }

    static String keyList(int[] keys) {
        if (keys.length == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(keys.length, 10);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(keys[i]);
        }
        if (shown < keys.length) {
            sb.append(", \u2026 (").append(keys.length).append(")");
        }
        return sb.toString();
    }
}
