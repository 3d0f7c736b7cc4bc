package io.jgrok.figures;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jgrok.analysis.PaperNumbers;
import io.jgrok.io.History;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The headline numbers of a run beside the paper's, as rows of text for the report. Everything is read from the
 * analysis summary, the training history and run_info.json; the paper's numbers come from the summary's "paper"
 * block and, for the few it lacks (run length, phase span), from the analysis's PaperNumbers.
 */
final class Headline {
    /** Test accuracy at which a run counts as grokked for "time to grok". */
    static final double GROKKED_ACCURACY = 0.99;

    /** One row: what, this run's value, the paper's value (empty when the paper reports none). */
    record Row(String quantity, String run, String paper) {
    }

    private Headline() {
    }

    static List<Row> rows(RunData run) {
        JsonObject s = run.summary;
        JsonObject paper = s.has("paper") && s.get("paper").isJsonObject() ? s.getAsJsonObject("paper") : null;
        JsonObject paperPhases = paper != null && paper.has("phases") ? paper.getAsJsonObject("phases") : null;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("modulus p, epochs trained", String.format(Locale.ROOT, "%d, %,d", run.p(),
                epochsTrained(run)), String.format(Locale.ROOT, "%d, %,d", PaperNumbers.P, PaperNumbers.EPOCHS)));
        rows.add(new Row("key frequencies", list(s.getAsJsonArray("key_frequencies")),
                paper == null ? "" : list(paper.getAsJsonArray("key_frequencies"))));
        JsonObject embed = run.object("embed");
        JsonArray sig = embed.getAsJsonArray("significant_frequencies");
        rows.add(new Row("W_E frequencies with a non-negligible norm", sig.size() + " (" + list(sig) + ")",
                paper == null ? "" : intText(paper, "embed_significant_frequencies")));
        JsonObject n = run.object("neurons");
        rows.add(new Row("neurons with frac_explained \u2265 " + Style.number(RunData.number(n, "threshold")),
                String.format(Locale.ROOT, "%d of %d (%.1f%%)", RunData.whole(n, "clustered"),
                        RunData.whole(n, "count"), 100 * RunData.number(n, "fraction_clustered")),
                paper == null ? "" : String.format(Locale.ROOT, "%s of %s (%.1f%%)", intText(paper,
                        "neurons_clustered"), intText(paper, "neurons"), 100 * RunData.number(paper,
                        "fraction_clustered"))));
        Phases ph = Phases.of(run);
        rows.add(new Row("end of memorization (epoch)", epoch(ph.memorizationEnd()),
                epoch(RunData.whole(paperPhases, "memorization_end"))));
        rows.add(new Row("end of circuit formation (epoch)", epoch(ph.circuitFormationEnd()),
                epoch(RunData.whole(paperPhases, "circuit_formation_end"))));
        rows.add(new Row("end of cleanup (epoch)", epoch(ph.cleanupEnd()),
                epoch(RunData.whole(paperPhases, "cleanup_end"))));
        Long grok = epochsToGrok(run.history);
        String grokText = grok != null ? String.format(Locale.ROOT, "epoch %,d", grok)
                : hasTestAccuracy(run.history) ? "not reached" : "unknown (the history has no test accuracy)";
        double rate = RunData.number(run.runInfo, "epochs_per_second");
        if (grok != null && rate > 0) {
            grokText += " (" + duration(grok / rate) + " at this run's speed)";
        }
        rows.add(new Row("time to grok (first epoch with test accuracy \u2265 "
                + Math.round(100 * GROKKED_ACCURACY) + "%)", grokText, String.format(Locale.ROOT, "during cleanup, "
                + "%,d\u2013%,d", PaperNumbers.CIRCUIT_FORMATION_END, PaperNumbers.CLEANUP_END)));
        JsonObject loss = run.object("loss");
        JsonObject acc = run.object("accuracy");
        rows.add(new Row("final loss, all p\u00b2 pairs", Style.number(RunData.number(loss, "all")),
                paper == null ? "" : "\u2248 " + Style.number(RunData.number(paper, "final_loss"))));
        rows.add(new Row("final loss, train / test", Style.number(RunData.number(loss, "train")) + " / "
                + Style.number(RunData.number(loss, "test")), ""));
        rows.add(new Row("final accuracy, train / test", percent(RunData.number(acc, "train")) + " / "
                + percent(RunData.number(acc, "test")), ""));
        JsonObject ab = run.object("ablations");
        rows.add(new Row("restricted loss (key-frequency logit terms only)",
                Style.number(RunData.number(ab, "restricted_loss")),
                paper == null ? "" : Style.number(RunData.number(paper, "restricted_loss"))));
        rows.add(new Row("clustered neurons replaced by their degree-2 approximation",
                Style.number(RunData.number(ab, "degree2_loss")),
                paper == null ? "" : Style.number(RunData.number(paper, "degree2_loss")) + " (from "
                        + Style.number(RunData.number(paper, "ablation_base_loss")) + ")"));
        rows.add(new Row("excluded loss (key frequencies removed; chance " + Style.number(RunData.number(ab,
                "chance_loss")) + ")", Style.number(RunData.number(ab, "excluded_loss")), ""));
        CollapseOnset collapse = CollapseOnset.of(run.history);
        if (collapse.recorded()) {
            rows.add(new Row("softmax collapse of the training examples", collapse.text(), ""));
        }
        rows.add(new Row("training speed", rate > 0 ? String.format(Locale.ROOT, "%.1f epochs/s", rate) : "unknown",
                ""));
        rows.add(new Row("engine and device", engine(run), ""));
        return rows;
    }

    /** First epoch whose test accuracy is at least {@link #GROKKED_ACCURACY}; null if none. */
    static Long epochsToGrok(History h) {
        for (int i = 0; i < h.size(); i++) {
            if (h.testAcc(i) >= GROKKED_ACCURACY) {
                return h.epoch(i);
            }
        }
        return null;
    }

    /** Whether any history row has a test accuracy (an imported run may have none). */
    static boolean hasTestAccuracy(History h) {
        for (int i = 0; i < h.size(); i++) {
            if (!Double.isNaN(h.testAcc(i))) {
                return true;
            }
        }
        return false;
    }

    static String engine(RunData run) {
        if (run.runInfo == null) {
            return "unknown (no logs/run_info.json)";
        }
        JsonElement e = run.runInfo.get("engine");
        JsonElement status = run.runInfo.get("status");
        String s = e == null || e.isJsonNull() ? "unknown" : e.getAsString();
        if (status != null && !status.isJsonNull() && !"done".equals(status.getAsString())) {
            s += " (run status: " + status.getAsString() + ")";
        }
        return s;
    }

    private static long epochsTrained(RunData run) {
        return run.history.size();
    }

    private static String epoch(Long e) {
        return e == null ? "none" : String.format(Locale.ROOT, "%,d", e);
    }

    private static String percent(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * x);
    }

    private static String intText(JsonObject o, String key) {
        Long v = RunData.whole(o, key);
        return v == null ? "" : Long.toString(v);
    }

    static String list(JsonArray a) {
        if (a == null || a.size() == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonElement e : a) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getAsString());
        }
        return sb.toString();
    }

    static String duration(double seconds) {
        if (seconds < 90) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 5400) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
}
