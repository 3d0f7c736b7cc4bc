package io.jgrok.figures;

import io.jgrok.io.Safetensors;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The heatmap figures over the p x p input grid and over Fourier components: attention from {@code =} per head
 * (figure 4), activations of a few neurons (figure 5), the 2D Fourier norms of the logits (figure 6) and F W_L for one
 * neuron cluster (figure 7, right).
 */
final class MapFigures {
    static final String ATTENTION = "attention_heads";
    static final String NEURONS = "neuron_activations";
    static final String LOGIT_FOURIER = "logit_fourier_norms";
    static final String CLUSTER_WL = "cluster_neuron_logit_fourier";

    /** Neuron panels in the activation figure. */
    static final int NEURON_PANELS = 6;

    private MapFigures() {
    }

    static Figure attention(RunData run) {
        Safetensors.Tensor t = run.array("attention_to_a");
        int heads = t.shape()[0];
        int p = run.p();
        int cols = (int) Math.ceil(Math.sqrt(heads));
        int rows = (heads + cols - 1) / cols;
        Heatmap.Axis xb = new Heatmap.Axis("b (second token)", Heatmap.numericTicks(p), false);
        Heatmap.Axis ya = new Heatmap.Axis("a (first token)", Heatmap.numericTicks(p), false);
        return new Figure(ATTENTION, "Attention from = to a, per head",
                "Each head's attention from = to the first token is a periodic function of a and b: the heads "
                        + "read a and b through a few frequencies (stripes and checkerboards).",
                cols * 520, rows * 470 + Layout.TITLE_BAND, (g, w, h) -> {
                    Rectangle2D[] panels = Layout.grid(Layout.title(g, "Attention from the = token to the first "
                            + "token a, over all inputs (a, b)", w, h), rows, cols);
                    for (int hd = 0; hd < heads; hd++) {
                        float[] v = Arrays.copyOfRange(t.data(), hd * p * p, (hd + 1) * p * p);
                        Heatmap.of(v, p, p, ColorMap.SEQUENTIAL, "attention weight")
                                .paint(g, inset(panels[hd]), "head " + hd, xb, ya, true);
                    }
                });
    }

    static Figure neurons(RunData run) {
        Safetensors.Tensor acts = run.array("neuron_activations");
        int p = run.p();
        List<NeuronChoice.Pick> picks = NeuronChoice.representatives(run, NEURON_PANELS);
        int cols = Math.min(3, Math.max(1, picks.size()));
        int rows = Math.max(1, (picks.size() + cols - 1) / cols);
        Heatmap.Axis xb = new Heatmap.Axis("b", Heatmap.numericTicks(p), false);
        Heatmap.Axis ya = new Heatmap.Axis("a", Heatmap.numericTicks(p), false);
        return new Figure(NEURONS, "Neuron activations",
                "Each neuron's activation at = is periodic in a and b with a single key frequency (the "
                        + "neuron's cluster); neurons of different clusters oscillate at different frequencies.",
                cols * 480, rows * 430 + Layout.TITLE_BAND, (g, w, h) -> {
                    Rectangle2D[] panels = Layout.grid(Layout.title(g, "MLP neuron activations at = (after ReLU) "
                            + "over all inputs (a, b)", w, h), rows, cols);
                    for (int i = 0; i < picks.size(); i++) {
                        NeuronChoice.Pick n = picks.get(i);
                        float[] v = Arrays.copyOfRange(acts.data(), n.neuron() * p * p, (n.neuron() + 1) * p * p);
                        String title = "neuron " + n.neuron() + ": k = " + n.frequency() + ", "
                                + String.format(java.util.Locale.ROOT, "%.0f%%", 100 * n.frac()) + " explained";
                        Heatmap.of(v, p, p, ColorMap.SEQUENTIAL, "activation")
                                .paint(g, inset(panels[i]), title, xb, ya, true);
                    }
                });
    }

    static Figure logitFourier(RunData run) {
        Safetensors.Tensor t = run.array("logits_fourier_norms");
        int p = run.p();
        float[] v = t.data();
        // (const, const) is each class's mean logit over all inputs; it can dwarf the rest, so the colour scale
        // is set by the other entries and a larger (const, const) is clamped, and said so.
        double maxOther = 0;
        for (int i = 1; i < v.length; i++) {
            maxOther = Math.max(maxOther, v[i]);
        }
        boolean clamped = v[0] > maxOther;
        String note = clamped ? "(const, const) = " + Style.number(v[0]) + " is above the colour scale" : null;
        Heatmap.Axis xb = new Heatmap.Axis("Fourier component over b", FourierTicks.of(run, -1), true);
        Heatmap.Axis ya = new Heatmap.Axis("Fourier component over a", FourierTicks.of(run, -1), true);
        double top = maxOther > 0 ? maxOther : 1;
        return new Figure(LOGIT_FOURIER, "2D Fourier norms of the logits",
                "The norm sits in a few bright entries at the key frequencies: the (cos k, cos k), (sin k, sin k), (cos k, sin k) and "
                        + "(sin k, cos k) terms that make up cos(w_k(a+b)) and sin(w_k(a+b)); the run's "
                        + "analysis/summary.json lists the strongest terms and their share of the norm.",
                1000, 960, (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, "Norm of the 2D Fourier transform of the logits (over the "
                            + p + " output classes)", w, h);
                    Rectangle2D box = inset(area);
                    Heatmap.of(v, p, p, ColorMap.SEQUENTIAL, "norm over output classes").range(0, top)
                            .paint(g, box, null, xb, ya, true);
                    if (note != null) {
                        Layout.note(g, note, box.getX() + 8, area.getMaxY() - 6);
                    }
                });
    }

    static Figure clusterNeuronLogit(RunData run) {
        Safetensors.Tensor t = run.array("neuron_logit_fourier");
        int p = run.p();
        int m = t.shape()[1];
        NeuronChoice.Cluster cluster = NeuronChoice.largestCluster(run);
        int[] members = cluster.neurons();
        int n = members.length;
        float[] v = new float[p * Math.max(1, n)];
        for (int r = 0; r < p; r++) {
            for (int j = 0; j < n; j++) {
                v[r * n + j] = t.data()[r * m + members[j]];
            }
        }
        int cols = Math.max(1, n);
        Heatmap.Axis xs = new Heatmap.Axis("neurons of the cluster (" + n + ", in index order)",
                Heatmap.numericTicks(cols), false);
        Heatmap.Axis yf = new Heatmap.Axis("Fourier component over the output c", FourierTicks.of(run,
                cluster.frequency()), true);
        String what = cluster.clustered() ? "clustered neurons" : "neurons (none passes the 0.85 threshold)";
        return new Figure(CLUSTER_WL, "F \u00b7 W_L for one neuron cluster",
                "The neurons of one cluster write to the logits almost only along cos k and sin k of their own "
                        + "frequency k (bold).",
                900, 960, (g, w, h) -> {
                    Rectangle2D area = Layout.title(g, "W_L in the Fourier basis for the " + what + " of frequency "
                            + "k = " + cluster.frequency(), w, h);
                    Heatmap.of(v, p, cols, ColorMap.DIVERGING, "coefficient").paint(g, inset(area), null, xs, yf,
                            false);
                });
    }

    static Rectangle2D inset(Rectangle2D r) {
        return new Rectangle2D.Double(r.getX() + 8, r.getY() + 4, r.getWidth() - 16, r.getHeight() - 10);
    }

    /** Ticks naming the constant and the cos and sin components of the key frequencies. */
    static final class FourierTicks {
        /**
         * Up to this p every basis row gets a label (the heatmaps are about 850 pixels square, so a cell is at least
         * 14 pixels, a line of tick text); above it only const and the key frequencies do, the rest being
         * unreadable at one pixel row or two per cell.
         */
        static final int LABEL_EVERY_ROW_UP_TO = 59;

        private FourierTicks() {
        }

        /**
         * Ticks naming Fourier components: all of them for p up to {@link #LABEL_EVERY_ROW_UP_TO}, else const and
         * the key frequencies (the strongest 12 when there are more). Bold: frequency {@code emphasised}'s rows, or
         * with {@code emphasised} negative and every row labelled, the key frequencies' rows.
         */
        static List<Heatmap.Tick> of(RunData run, int emphasised) {
            int[] keys = run.keyFrequencies.length <= 12 ? run.keyFrequencies
                    : ProgressFigures.strongest(run, 12);
            List<Integer> keyRows = new ArrayList<>();
            for (int k : keys) {
                keyRows.add(run.basisRow("cos " + k));
                keyRows.add(run.basisRow("sin " + k));
            }
            List<Integer> rows = new ArrayList<>();
            boolean every = run.p() <= LABEL_EVERY_ROW_UP_TO;
            if (every) {
                for (int r = 1; r < run.basisLabels.length; r++) {
                    rows.add(r);
                }
            } else {
                rows.addAll(keyRows);
                rows.sort(null);
            }
            List<Heatmap.Tick> ticks = new ArrayList<>();
            ticks.add(new Heatmap.Tick(0, "const", false));
            for (int r : rows) {
                String label = run.basisLabels[r];
                boolean bold = emphasised >= 0 ? label.endsWith(" " + emphasised) : every && keyRows.contains(r);
                ticks.add(new Heatmap.Tick(r, label, bold));
            }
            return ticks;
        }
    }
}
