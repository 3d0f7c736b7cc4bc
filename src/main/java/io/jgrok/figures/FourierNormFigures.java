package io.jgrok.figures;

import com.google.gson.JsonObject;
import io.jgrok.io.Safetensors;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.style.Styler;

import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * Figures 2 and 3 of the paper: the norm of each Fourier component of the embedding W_E (over d_model) and of the
 * neuron-to-logit map W_L (over neurons), as grouped bars, a cos bar and a sin bar per frequency. The values are the
 * analysis arrays {@code embed_fourier_norms} and {@code neuron_logit_fourier_norms} (one norm per basis row); rows
 * are matched to bars by their basis labels, so the cos-first and sin-first basis orders are drawn alike.
 */
final class FourierNormFigures {
    static final String EMBED = "embed_fourier_norms";
    static final String NEURON_LOGIT = "neuron_logit_fourier_norms";

    private FourierNormFigures() {
    }

    static Figure embed(RunData run) {
        JsonObject e = run.object("embed");
        return bars(run, EMBED, "Fourier components of the embedding",
                "Norms of the Fourier components of the embedding W_E (over d_model)",
                "A few frequencies carry almost all of the embedding's norm (the paper finds 6); the others are "
                        + "near zero.",
                "norm of (F \u00b7 W_E) row", run.array("embed_fourier_norms"), RunData.number(e, "gini"));
    }

    static Figure neuronLogit(RunData run) {
        JsonObject e = run.object("neuron_logit_map");
        return bars(run, NEURON_LOGIT, "Fourier components of the neuron-logit map",
                "Norms of the Fourier components of W_L = W_out \u00b7 W_U (over neurons)",
                "W_L is sparse in the Fourier basis: the neurons write to the logits only along the key frequencies.",
                "norm of (F \u00b7 W_L\u1d40) row", run.array("neuron_logit_fourier_norms"), RunData.number(e, "gini"));
    }

    private static Figure bars(RunData run, String name, String shortTitle, String title, String caption,
                               String yTitle, Safetensors.Tensor norms, double gini) {
        int nf = run.nFrequencies();
        List<String> freq = new ArrayList<>();
        List<Double> cos = new ArrayList<>();
        List<Double> sin = new ArrayList<>();
        for (int k = 1; k <= nf; k++) {
            freq.add(Integer.toString(k));
            cos.add((double) norms.data()[run.basisRow("cos " + k)]);
            sin.add((double) norms.data()[run.basisRow("sin " + k)]);
        }
        double constant = norms.data()[run.basisRow("const")];
        double largest = 0;
        for (int i = 0; i < nf; i++) {
            largest = Math.max(largest, Math.max(cos.get(i), sin.get(i)));
        }
        // Headroom above the tallest bar for the key-frequency marks.
        double yMax = largest > 0 ? largest * 1.2 : 1;
        int[] keys = run.keyFrequencies;
        String subtitle = "constant component " + Style.number(constant) + ";  Gini of the per-frequency norms "
                + Style.number(gini) + ";  key frequencies (neuron clusters) marked \u25bc";
        return new Figure(name, shortTitle, caption, 1200, 520, (g, w, h) -> {
            Rectangle2D area = Layout.title(g, title, w, h);
            Layout.note(g, subtitle, 16, area.getY() + 10);
            Rectangle2D chartArea = new Rectangle2D.Double(area.getX(), area.getY() + 16, area.getWidth(),
                    area.getHeight() - 16);
            CategoryChart c = Style.barChart((int) chartArea.getWidth(), (int) chartArea.getHeight(), null,
                    "frequency k (component cos(2\u03c0kx/" + run.p() + ") or sin(2\u03c0kx/" + run.p() + "))",
                    yTitle);
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            c.getStyler().setAvailableSpaceFill(0.8);
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setYAxisMax(yMax);
            c.getStyler().setXAxisMaxLabelCount(nf > 60 ? 30 : 0);
            CategorySeries sc = c.addSeries("cos k", freq, cos);
            sc.setFillColor(Style.BLUE);
            CategorySeries ss = c.addSeries("sin k", freq, sin);
            ss.setFillColor(Style.ORANGE);
            c.addAnnotation(new KeyMarks(keys, nf));
            Layout.chart(g, c, chartArea);
        });
    }

    /** The number and a marker above each key frequency's bar pair, along the top of the plot. */
    static final class KeyMarks extends Annotation {
        private final int[] keys;
        private final int n;

        KeyMarks(int[] keys, int n) {
            super(false);
            this.keys = keys;
            this.n = n;
        }

        @Override
        public void paint(Graphics2D g0) {
            Graphics2D g = (Graphics2D) g0.create();
            try {
                double left = getXAxisScreenValueForMin();
                double right = getXAxisScreenValueForMax();
                double top = getYAxisScreenValueForMin();
                // Category bars fill the plot content width (a fraction of the plot) in n equal slots.
                double content = (right - left) * chart.getStyler().getPlotContentSize();
                double start = left + ((right - left) - content) / 2;
                double slot = content / n;
                g.setFont(Style.SMALL);
                FontMetrics fm = g.getFontMetrics();
                g.setColor(Style.TEXT);
                for (int k : keys) {
                    if (k < 1 || k > n) {
                        continue;
                    }
                    // The number centred over the bar pair, the marker under it.
                    double cx = start + (k - 0.5) * slot;
                    String num = Integer.toString(k);
                    g.drawString(num, (float) (cx - fm.stringWidth(num) / 2.0), (float) (top + fm.getAscent() + 2));
                    g.drawString("\u25bc", (float) (cx - fm.stringWidth("\u25bc") / 2.0),
                            (float) (top + fm.getAscent() + fm.getHeight() + 1));
                }
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
