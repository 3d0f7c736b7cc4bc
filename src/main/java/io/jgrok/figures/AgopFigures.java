package io.jgrok.figures;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jgrok.figures.TrainingFigures.TimeSeries;
import io.jgrok.io.Safetensors;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The AGOP figures ({@code jgrok analyze --agop}; definitions in docs/agop.md): the a-b block of sqrt(AGOP) at up to
 * four moments of training, and the AGOP measures over training beside the restricted and excluded losses, with the
 * phase boundaries. Drawn only when the analysis has them; they get their own section of the report.
 */
final class AgopFigures {
    static final String HEATMAPS = "agop_heatmaps";
    static final String MEASURES = "agop_measures";
    /** Width of one heatmap panel (two panels per row). */
    static final int PANEL_WIDTH = 520;
    /** What the report and {@code jgrok figures} say about a run analysed without them. */
    static final String NOT_COMPUTED = "AGOP measures not computed: this run was analysed without them (the "
            + "default on the CPU, where they take about a second per paper-size checkpoint per core); "
            + "./jgrok analyze RUN_DIR --agop on adds them, then ./jgrok figures draws their figures (docs/agop.md).";

    private AgopFigures() {
    }

    /** Whether the run's analysis has the AGOP measures. */
    static boolean present(RunData run) {
        JsonElement a = run.summary.get("agop");
        return a != null && a.isJsonObject() && run.progress.has("agop_alignment");
    }

    static List<Figure> all(RunData run, Phases phases) {
        if (!present(run)) {
            return List.of();
        }
        return List.of(heatmaps(run), measures(run, phases));
    }

    static boolean isAgop(Figure f) {
        return f.name().startsWith("agop_");
    }

    static Figure heatmaps(RunData run) {
        Safetensors.Tensor blocks = run.array("agop_heatmap_ab");
        float[] epochs = run.array("agop_heatmap_epochs").data();
        int k = blocks.shape()[0];
        int p = run.p();
        List<String> moments = new ArrayList<>();
        for (JsonElement e : run.summary.getAsJsonObject("agop").getAsJsonArray("heatmaps")) {
            moments.add(e.getAsJsonObject().get("moment").getAsString());
        }
        Heatmap.Axis xa = new Heatmap.Axis("a (first token)", Heatmap.numericTicks(p), false);
        Heatmap.Axis yb = new Heatmap.Axis("b (second token)", Heatmap.numericTicks(p), false);
        int cols = Math.min(k, 2);
        int rows = (k + cols - 1) / cols;
        return new Figure(HEATMAPS, "The a-b block of \u221aAGOP over training",
                "Each panel on its own colour scale. At initialisation only the diagonal (the same token in both "
                        + "positions) stands out; as the Fourier circuit forms, stripes of constant a \u2212 b and "
                        + "of constant a + b appear, at the key frequencies.",
                cols * PANEL_WIDTH, rows * 480 + Layout.TITLE_BAND, (g, w, h) -> {
                    Rectangle2D[] panels = Layout.grid(Layout.title(g, heatmapTitle(k), w, h), rows, cols);
                    for (int i = 0; i < k; i++) {
                        float[] v = Arrays.copyOfRange(blocks.data(), i * p * p, (i + 1) * p * p);
                        String title = (i < moments.size() ? moments.get(i) : "checkpoint") + " (epoch "
                                + String.format(Locale.ROOT, "%,d", (long) epochs[i]) + ")";
                        Heatmap.of(v, p, p, ColorMap.DIVERGING, "\u221aAGOP entry")
                                .paint(g, MapFigures.inset(panels[i]), title, xa, yb, true);
                    }
                });
    }

    /** The heatmaps' title, short enough for one panel's width when there is one checkpoint (an imported model). */
    static String heatmapTitle(int k) {
        return k == 1 ? "\u221aAGOP, a-b block (rows b, columns a)"
                : "\u221aAGOP, block of the b entries (rows) against the a entries (columns), at " + k + " checkpoints";
    }

    static Figure measures(RunData run, Phases phases) {
        RunData.Progress pr = run.progress;
        double[] x = Curves.toDouble(pr.epochs());
        double max = pr.lastEpoch();
        return new Figure(MEASURES, "AGOP measures over training",
                "The diagonal blocks become circulant, the a-b block loses its deviation along a \u2212 b and "
                        + "alignment with the final \u221aAGOP rises during circuit formation, while the test loss "
                        + "is still high; the a-b block's mix of a \u2212 b and a + b structure can change later.",
                1200, 940, (g, w, h) -> {
                    Rectangle2D[] p = Layout.grid(Layout.title(g, "AGOP progress measures over training (averaged "
                            + "over the training pairs)", w, h), 2, 2);
                    XYChart loss = TimeSeries.chart(p[0], "Restricted and excluded loss", "cross-entropy loss "
                            + "(log scale)", max, true, phases);
                    TimeSeries.add(loss, "train", x, pr.column("train_loss"), 0, true);
                    TimeSeries.add(loss, "test", x, pr.column("test_loss"), 1, true);
                    TimeSeries.add(loss, "excluded (train pairs)", x, pr.column("excluded_loss"), 2, true);
                    TimeSeries.add(loss, "restricted (all pairs)", x, pr.column("restricted_loss"), 3, true);
                    dotsWhenOnePoint(loss);
                    Layout.chart(g, loss, p[0]);

                    XYChart dev = TimeSeries.chart(p[1], "Circulant deviation of \u221aAGOP blocks",
                            "deviation (0 = constant along the wrapped diagonals)", max, false, phases);
                    TimeSeries.add(dev, "a-b block, along a + b", x, pr.column("agop_dev_ab_sum"), 4, false);
                    TimeSeries.add(dev, "a-b block, along a \u2212 b", x, pr.column("agop_dev_ab_diff"), 5, false);
                    TimeSeries.add(dev, "a-a block", x, pr.column("agop_dev_aa"), 6, false);
                    TimeSeries.add(dev, "b-b block", x, pr.column("agop_dev_bb"), 7, false);
                    dotsWhenOnePoint(dev);
                    Layout.chart(g, dev, p[1]);

                    XYChart al = TimeSeries.chart(p[2], "Alignment, key-frequency share, NFM correlation",
                            "cosine / share / correlation", max, false, phases);
                    TimeSeries.add(al, "alignment with final", x, pr.column("agop_alignment"), 0,
                            false);
                    TimeSeries.add(al, "key-freq. share (a-b)", x, pr.column("agop_key_share"), 3, false);
                    TimeSeries.add(al, "corr(\u221aAGOP, NFM)", x, pr.column("agop_nfm_corr"), 5, false);
                    dotsWhenOnePoint(al);
                    Layout.chart(g, al, p[2]);

                    XYChart tr = TimeSeries.chart(p[3], "Scale of the input Jacobian", "trace of the AGOP (log "
                            + "scale)", max, true, phases);
                    TimeSeries.add(tr, "tr AGOP = mean \u2016\u2202logits/\u2202one-hot\u2016\u00b2", x,
                            pr.column("agop_trace"), 6, true);
                    dotsWhenOnePoint(tr);
                    Layout.chart(g, tr, p[3]);
                });
    }

    /**
     * Draws every one-point series of the chart as a dot: a run of one checkpoint (an imported model) has one value
     * per measure, and a line through one point draws nothing.
     */
    static void dotsWhenOnePoint(XYChart c) {
        boolean any = false;
        for (XYSeries s : c.getSeriesMap().values()) {
            if (s.getXData().length == 1 && s.isShowInLegend()) {
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(s.getLineColor());
                any = true;
            }
        }
        if (any) {
            c.getStyler().setMarkerSize(DOT_SIZE);
        }
    }

    /** Diameter in pixels of {@link #dotsWhenOnePoint}'s dots. */
    static final int DOT_SIZE = 10;

    /** The report's AGOP section: what the figures show, in numbers from summary.json. */
    static String reportParagraph(RunData run) {
        JsonObject a = run.summary.getAsJsonObject("agop");
        JsonObject fin = a.getAsJsonObject("final");
        StringBuilder sb = new StringBuilder();
        sb.append("Average gradient outer product of the ").append(run.p()).append(" number logits with respect "
                + "to the one-hot inputs of a and b, averaged over the ").append(RunData.whole(a, "examples"))
                .append(" training pairs, at every checkpoint (definitions: <code>docs/agop.md</code>). At the "
                        + "analysed checkpoint: Pearson correlation of \u221aAGOP with the Gram matrix of the "
                        + "input vectors W_E[t] + W_pos[pos] (the NFM analogue) ").append(fmt(fin, "nfm_correlation"))
                .append("; circulant deviation of the a-b block ").append(fmt(fin, "deviation_ab_sum"))
                .append(" along a + b and ").append(fmt(fin, "deviation_ab_difference")).append(" along a \u2212 b; ")
                .append("share of its 2D Fourier norm on the key frequencies ").append(fmt(fin, "key_share"))
                .append(".");
        for (JsonElement e : a.getAsJsonArray("alignment_crossings")) {
            JsonObject c = e.getAsJsonObject();
            sb.append(" Alignment with the final \u221aAGOP first reaches ")
                    .append(String.format(Locale.ROOT, "%.1f", c.get("threshold").getAsDouble()));
            if (c.has("epoch") && !c.get("epoch").isJsonNull()) {
                sb.append(" at epoch ").append(String.format(Locale.ROOT, "%,d", c.get("epoch").getAsLong()));
                if (c.has("phase") && !c.get("phase").isJsonNull()) {
                    sb.append(" (").append(c.get("phase").getAsString()).append(")");
                }
                sb.append('.');
            } else {
                sb.append(": never.");
            }
        }
        return sb.toString();
    }

    private static String fmt(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return "n/a";
        }
        double v = e.getAsDouble();
        return Math.abs(v) >= 0.01 || v == 0 ? String.format(Locale.ROOT, "%.3f", v)
                : String.format(Locale.ROOT, "%.2e", v);
    }
}
