package io.jgrok.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-epoch cost of each training kernel at the paper's config, read from the one place it is written: the
 * table "Cost per epoch at the paper's config" of src/main/cuda/README.md (packed into the jar as
 * {@code cuda/README.md}). Columns are found by their header, so a column added there (e.g. a per-kernel time
 * budget, "budget µs") is read without code changes; a row's value is the first number of its cell ("0.1
 * (latency-bound: ~3)" is 0.1, "1,491" is 1491).
 *
 * <p>The profile ({@code --profile}) names launches by what they compute ("forward: logits += relu(pre) WOU"); a
 * README row may cover several launches. {@link #ROWS_TO_LABELS} maps one to the other; KernelCostsTest fails when a
 * launch of a profiled epoch or a README row has no counterpart, so the two cannot drift apart unnoticed.
 */
public final class KernelCosts {
    /** The resource the table is read from. */
    public static final String RESOURCE = "/cuda/README.md";
    /** The heading the table follows. */
    static final String HEADING = "### Cost per epoch at the paper's config";

    /** README row -> the profile labels of its launches (a label's " (split-K sum)" launch goes with it). */
    static final Map<String, List<String>> ROWS_TO_LABELS = new LinkedHashMap<>();

    static {
        row("tables_inputs", "tables: X, WVcat, WinU");
        row("tables_attention", "tables: q, kq, scores");
        row("gemm V = X W_V", "tables: V = X W_V");
        row("gemm WOX = W_O [W_in | W_U]", "tables: WOX = W_O [W_in|W_U]");
        row("gemm WOU = W_out W_U", "tables: WOU = W_out W_U");
        row("gemm T = V WOX", "tables: T = V WOX");
        row("tables_fold", "tables: fold '='");
        row("forward_gather", "forward: attention + gather");
        row("gemm logits = relu(pre) WOU (+ logits0)", "forward: logits += relu(pre) WOU");
        row("cross_entropy", "forward: float64 cross-entropy");
        row("loss_reduce", "loss and accuracy sums");
        row("gemm dpre (masked)", "backward: dpre = dlogits WOU^T, ReLU mask");
        row("gemm dWOU, split-K + sum", "backward: dWOU = relu(pre)^T dlogits");
        row("column_sums + sum", "backward: '=' rows and column sums",
                "backward: '=' rows and column sums (split sum)");
        row("backward_scores", "backward: attention weights");
        row("backward_scatter", "backward: token-row gradients");
        row("6 table-gradient gemms", "backward: dWOX = V^T dT", "backward: dV = dT WOX^T",
                "backward: dW_O = dWOX WinU^T", "backward: dWinU = W_O^T dWOX", "backward: dW_out = dWOU W_U^T",
                "backward: W_out^T dWOU");
        row("backward_query", "backward: query side");
        row("gemm dW_V, dX", "backward: dW_V = X^T dV", "backward: dX = dV W_V^T");
        row("backward_embed", "backward: W_E, W_pos");
        row("backward_assemble", "backward: assemble the gradient");
        row("adamw_step", "optimiser: masked Grokfast + AdamW");
        row("epoch_advance", "epoch counter");
    }

    private static void row(String readmeRow, String... labels) {
        ROWS_TO_LABELS.put(readmeRow, List.of(labels));
    }

    /** The suffix GemmCall gives the reduction launch of a split-K product. */
    static final String SPLIT_K_SUFFIX = " (split-K sum)";

    private static final Pattern NUMBER = Pattern.compile("[0-9][0-9,]*(\\.[0-9]+)?");

    /** One row of the table: its cells by column header, and the numbers read from them. */
    public record Row(String name, Map<String, String> cells) {
        /** The first number in the column's cell, or NaN (no such column, or no number). */
        public double number(String column) {
            String cell = cells.get(column);
            if (cell == null) {
                return Double.NaN;
            }
            Matcher m = NUMBER.matcher(cell);
            return m.find() ? Double.parseDouble(m.group().replace(",", "")) : Double.NaN;
        }

        public double mflop() {
            return number("MFLOP");
        }

        public double megabytes() {
            return number("MB");
        }

        public double floorMicros() {
            return number("floor µs");
        }

        /** The time budget of the row in µs per epoch, where the table has a "budget µs" column; else NaN. */
        public double budgetMicros() {
            return number("budget µs");
        }
    }

    private final List<Row> rows;
    private final Row total;

    private KernelCosts(List<Row> rows, Row total) {
        this.rows = rows;
        this.total = total;
    }

    /** The table from the jar (or the classpath). */
    public static KernelCosts load() {
        try (InputStream in = KernelCosts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not in the jar (pom.xml packs "
                        + "src/main/cuda/README.md)");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** Parses the first markdown table after {@link #HEADING}. */
    static KernelCosts parse(String markdown) {
        int at = markdown.indexOf(HEADING);
        if (at < 0) {
            throw new IllegalStateException("no \"" + HEADING + "\" section in " + RESOURCE);
        }
        List<String> header = null;
        List<Row> rows = new ArrayList<>();
        Row total = null;
        for (String line : markdown.substring(at).split("\n")) {
            String l = line.strip();
            if (!l.startsWith("|")) {
                if (header != null) {
                    break;  // the table ended
                }
                continue;
            }
            List<String> cells = cells(l);
            if (header == null) {
                header = cells;
                continue;
            }
            if (cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
                continue;  // the separator row
            }
            Map<String, String> byColumn = new LinkedHashMap<>();
            for (int i = 1; i < Math.min(header.size(), cells.size()); i++) {
                byColumn.put(header.get(i), cells.get(i).replace("**", ""));
            }
            String name = cells.get(0).replace("**", "").strip();
            Row row = new Row(name, byColumn);
            if (name.equals("epoch")) {
                total = row;
            } else {
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("the table after \"" + HEADING + "\" has no rows");
        }
        return new KernelCosts(List.copyOf(rows), total);
    }

    /** The cells of a table line, `\|` unescaped. */
    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '|') {
                out.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        return out;
    }

    public List<Row> rows() {
        return rows;
    }

    /** The "epoch" row (totals), or null. */
    public Row total() {
        return total;
    }

    /**
     * The version suffix a launch of a kernel version other than the default carries in its label ("backward: query
     * side [warp]", see io.jgrok.engine.device.KernelVariants): such a launch does the work of the same README row.
     */
    private static final Pattern VERSION = Pattern.compile(" \\[([a-z0-9_]+)\\]$");

    /** The kernel version a label names ("warp"), or null for a default version's launch. */
    public static String versionOf(String label) {
        Matcher m = VERSION.matcher(label);
        return m.find() ? m.group(1) : null;
    }

    /** The README row a profile label belongs to (a version's label: the row of the work it does), or null. */
    public static String rowOf(String label) {
        Matcher version = VERSION.matcher(label);
        if (version.find()) {
            label = label.substring(0, version.start());
        }
        String base = label.endsWith(SPLIT_K_SUFFIX) ? label.substring(0, label.length() - SPLIT_K_SUFFIX.length())
                : label;
        for (Map.Entry<String, List<String>> e : ROWS_TO_LABELS.entrySet()) {
            if (e.getValue().contains(base)) {
                return e.getKey();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d kernel rows from %s", rows.size(), RESOURCE);
    }
}
