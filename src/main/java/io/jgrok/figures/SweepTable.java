package io.jgrok.figures;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sweep report's table of runs, from {@code sweep_summary.json}: each run's name (linked to its own report when
 * it has one), status, the values of the spec's axes, when it grokked, its final test accuracy and loss, and its
 * key frequencies and clustered fraction.
 */
final class SweepTable {
    private SweepTable() {
    }

    /** The table as HTML, with a heading; {@code sweepDir} holds the summary and the runs. */
    static String html(Path summaryFile, Path sweepDir) {
        JsonObject o = RunData.json(summaryFile, "sweep summary");
        JsonArray axesJson = o.has("axes") && o.get("axes").isJsonArray() ? o.getAsJsonArray("axes") : new JsonArray();
        List<String> axes = new ArrayList<>();
        axesJson.forEach(a -> axes.add(a.getAsString()));
        JsonArray runs = o.getAsJsonArray("runs");
        StringBuilder h = new StringBuilder();
        h.append("<h2>Runs</h2>\n<p class=\"note\">").append(runs.size()).append(" runs; grokked = first epoch with "
                + "test accuracy \u2265 99% (and, in the next column, test loss &lt; 0.1); \u2014 = never or not "
                + "known. From <code>").append(SweepSummary.FILE).append("</code>.</p>\n");
        h.append("<table class=\"runs\">\n<thead><tr><th>run</th><th>status</th>");
        for (String a : axes) {
            h.append("<th>").append(ReportPage.esc(a)).append("</th>");
        }
        h.append("<th>grokked (acc)</th><th>grokked (loss)</th><th>final test acc</th><th>final test loss</th>"
                + "<th>key frequencies</th><th>clustered</th></tr></thead>\n<tbody>\n");
        for (JsonElement e : runs) {
            JsonObject r = e.getAsJsonObject();
            String name = text(r, "name");
            String dir = text(r, "dir");
            boolean report = !dir.isEmpty() && Files.exists(sweepDir.resolve(dir).resolve("report.html"));
            h.append("<tr><td>").append(report ? "<a href=\"" + ReportPage.esc(dir) + "/report.html\">"
                    + ReportPage.esc(name) + "</a>" : ReportPage.esc(name)).append("</td>");
            String status = text(r, "status");
            String reason = text(r, "exit_reason");
            h.append("<td>").append(ReportPage.esc(status + (reason.isEmpty() ? "" : ": " + reason))).append("</td>");
            JsonObject params = r.has("params") && r.get("params").isJsonObject() ? r.getAsJsonObject("params")
                    : new JsonObject();
            for (String a : axes) {
                h.append("<td>").append(ReportPage.esc(text(params, a))).append("</td>");
            }
            h.append("<td>").append(epoch(r, "epochs_to_grok")).append("</td><td>").append(epoch(r,
                    "epochs_to_grok_loss")).append("</td><td>").append(percent(RunData.number(r, "final_test_acc")))
                    .append("</td><td>").append(ReportPage.esc(loss(RunData.number(r, "final_test_loss"))))
                    .append("</td><td>").append(ReportPage.esc(list(r.get("key_frequencies")))).append("</td><td>")
                    .append(percent(RunData.number(r, "clustered_fraction"))).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        return h.toString();
    }

    private static String text(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? "" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    private static String epoch(JsonObject r, String key) {
        Long e = RunData.whole(r, key);
        return e == null ? "\u2014" : String.format(Locale.ROOT, "%,d", e);
    }

    private static String percent(double x) {
        return Double.isNaN(x) ? "\u2014" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }

    private static String loss(double x) {
        return Double.isNaN(x) ? "\u2014" : Style.number(x);
    }

    private static String list(JsonElement e) {
        if (e == null || !e.isJsonArray()) {
            return "\u2014";
        }
        return Headline.list(e.getAsJsonArray());
    }
}
