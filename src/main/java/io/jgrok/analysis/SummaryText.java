package io.jgrok.analysis;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The short human-readable summary that {@code jgrok analyze} prints: our numbers beside the paper's. */
public final class SummaryText {
    private SummaryText() {
    }

    public static String of(AnalysisResults r) {
        FinalAnalysis.Result f = r.fin();
        LogitMeasures l = f.logits();
        NeuronClusters nc = f.clusters();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "analysis of %s, checkpoint %d (p = %d, %d checkpoints in the "
                + "progress measures)%n", r.runDir(), f.epoch(), r.config().p(), r.progress().size()));
        for (String w : r.warnings()) {
            sb.append("warning: ").append(w).append('\n');
        }
        java.util.List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"", "this run", "paper (main run)"});
        KeyFrequencyRule.Choice keys = f.keys();
        row(rows, "key frequencies (" + keys.source() + ")", join(r.keyFrequencies()),
                join(PaperNumbers.KEY_FREQUENCIES));
        // The other rules' answers, where they are not the row above (a fallback is the notebook's rule, and
        // its clustered answer is empty).
        if (keys.rule() != KeyFrequencyRule.Kind.NOTEBOOK && !keys.fallback()) {
            row(rows, "  the notebook's rule would give", join(keys.notebook()), "");
        }
        if (keys.rule() != KeyFrequencyRule.Kind.CLUSTERED) {
            row(rows, "  the clustered rule would give", join(keys.clustered()), "");
        }
        row(rows, "neurons with frac_explained >= " + NeuronClusters.THRESHOLD,
                String.format(Locale.ROOT, "%d/%d (%.1f%%)", nc.clusteredCount(), nc.nNeurons(),
                        100 * nc.clusteredFraction()),
                String.format(Locale.ROOT, "%d/%d (%.1f%%)", PaperNumbers.NEURONS_CLUSTERED, PaperNumbers.NEURONS,
                        100 * PaperNumbers.FRACTION_CLUSTERED));
        String clusters = shorten(nc.clusters().stream().map(c -> c.frequency() + ":" + c.clustered())
                .toArray(String[]::new));
        row(rows, "clustered neurons per frequency", clusters, "");
        int[] sig = AnalysisResults.significantFrequencies(
                r.basis().frequencyNorms(f.weights().embedRowNorms()));
        row(rows, "W_E significant frequencies", sig.length + " (" + join(sig) + ")",
                Integer.toString(PaperNumbers.EMBED_SIGNIFICANT_FREQUENCIES));
        row(rows, "Gini W_E / W_L", String.format(Locale.ROOT, "%.3f / %.3f", f.weights().giniEmbed(),
                f.weights().giniNeuronLogit()), "");
        row(rows, "loss, all data", sci(l.lossAll()), "~" + sci(PaperNumbers.FINAL_LOSS));
        row(rows, "loss train / test", sci(l.lossTrain()) + " / " + sci(l.lossTest()), "");
        row(rows, "accuracy train / test", pct(l.accuracyTrain()) + " / " + pct(l.accuracyTest()), "");
        row(rows, "restricted loss (key freqs only)", sci(l.restrictedLoss()), sci(PaperNumbers.RESTRICTED_LOSS));
        row(rows, "excluded loss (key freqs removed)", sci(l.excludedLoss()) + " (chance "
                + String.format(Locale.ROOT, "%.2f", Math.log(r.config().p())) + ")", "");
        row(rows, "degree-2 approximation loss", sci(f.degree2Loss()), sci(PaperNumbers.DEGREE2_LOSS) + " (from "
                + sci(PaperNumbers.ABLATION_BASE_LOSS) + ")");
        row(rows, "sum of squared weights", String.format(Locale.ROOT, "%.1f", f.weights().sumOfSquares()), "");
        PhaseBoundaries.Phases ph = r.phases();
        row(rows, "end of memorization (epoch)", epoch(ph.memorizationEnd()), epoch(PaperNumbers.MEMORIZATION_END));
        row(rows, "end of circuit formation", epoch(ph.circuitFormationEnd()),
                epoch(PaperNumbers.CIRCUIT_FORMATION_END));
        row(rows, "end of cleanup", epoch(ph.cleanupEnd()), epoch(PaperNumbers.CLEANUP_END));
        AgopResults agop = r.agop();
        if (agop != null && !agop.measures().isEmpty()) {
            AgopMeasures last = agop.measures().get(agop.measures().size() - 1);
            row(rows, "AGOP: NFM correlation (final)", String.format(Locale.ROOT, "%.3f", last.nfmCorrelation()),
                    "0.92-0.96 (MLPs, Mallinar et al.)");
            row(rows, "AGOP: a-b deviation sum / diff", String.format(Locale.ROOT, "%.3f / %.3f", last.crossSum(),
                    last.crossDifference()), "");
            row(rows, "AGOP: alignment 0.5 / 0.9 (epoch)", epoch(agop.firstEpochWithAlignment(0.5)) + " / "
                    + epoch(agop.firstEpochWithAlignment(0.9)), "");
        }
        table(sb, rows);
        return sb.toString();
    }

    private static void row(java.util.List<String[]> rows, String what, String ours, String paper) {
        rows.add(new String[] {what, ours, paper});
    }

    /** The rows as a table whose columns are as wide as their widest entry, so no entry runs into the next. */
    static void table(StringBuilder sb, java.util.List<String[]> rows) {
        int[] width = new int[2];
        for (String[] r : rows) {
            width[0] = Math.max(width[0], r[0].length());
            width[1] = Math.max(width[1], r[1].length());
        }
        String format = "  %-" + width[0] + "s  %-" + width[1] + "s  %s";
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, format, r[0], r[1], r[2]).stripTrailing()).append('\n');
        }
    }

    /** Lists longer than this are cut in the printed summary (summary.json has them in full). */
    static final int MAX_LISTED = 10;

    private static String join(int[] v) {
        return v.length == 0 ? "none" : shorten(Arrays.stream(v).mapToObj(Integer::toString).toArray(String[]::new));
    }

    private static String shorten(String[] items) {
        if (items.length <= MAX_LISTED) {
            return String.join(" ", items);
        }
        return String.join(" ", Arrays.copyOf(items, MAX_LISTED)) + " ... (" + items.length + ")";
    }

    private static String sci(double x) {
        return String.format(Locale.ROOT, "%.3g", x);
    }

    private static String pct(double x) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * x);
    }

    private static String epoch(Long e) {
        return e == null ? "none" : Long.toString(e);
    }
}
