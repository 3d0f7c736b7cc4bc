package io.jgrok.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;
import io.jgrok.engine.EpochSink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The training history: one row per epoch (losses and accuracies of the weights before that epoch's step), as
 * {@code logs/training_history.json} with arrays {@code epoch, train_loss, test_loss, train_acc, test_acc,
 * softmax_collapse_f32, softmax_collapse_f64}; test entries are {@code null} on epochs where the test set was not
 * evaluated. The two collapse columns are the fractions of training examples whose softmax has collapsed in float32
 * and in float64 ({@link io.jgrok.engine.SoftmaxCollapse}); histories written before they existed read as NaN there.
 */
public final class History implements EpochSink {
    public static final String[] COLUMNS = {"epoch", "train_loss", "test_loss", "train_acc", "test_acc",
        "softmax_collapse_f32", "softmax_collapse_f64"};
    /** Columns from {@link #COLUMNS} that older histories lack (read as NaN). */
    private static final int FIRST_OPTIONAL_COLUMN = 5;

    private long[] epoch = new long[1024];
    private double[] trainLoss = new double[1024];
    private double[] testLoss = new double[1024];
    private double[] trainAcc = new double[1024];
    private double[] testAcc = new double[1024];
    private double[] collapsedF32 = new double[1024];
    private double[] collapsedF64 = new double[1024];
    private int size;
    private final ColumnText[] text = {new ColumnText(), new ColumnText(), new ColumnText(), new ColumnText(),
        new ColumnText(), new ColumnText(), new ColumnText()};
    /** Rows whose text is in {@link #text}. */
    private int formatted;

    @Override
    public void accept(long e, double trL, double trA, double teL, double teA) {
        accept(e, trL, trA, teL, teA, Double.NaN, Double.NaN);
    }

    @Override
    public void accept(long e, double trL, double trA, double teL, double teA, double cF32, double cF64) {
        if (size > 0 && e != epoch[size - 1] + 1) {
            throw new IllegalStateException("history row for epoch " + e + " after epoch " + epoch[size - 1]);
        }
        if (size == epoch.length) {
            int n = size * 2;
            epoch = Arrays.copyOf(epoch, n);
            trainLoss = Arrays.copyOf(trainLoss, n);
            testLoss = Arrays.copyOf(testLoss, n);
            trainAcc = Arrays.copyOf(trainAcc, n);
            testAcc = Arrays.copyOf(testAcc, n);
            collapsedF32 = Arrays.copyOf(collapsedF32, n);
            collapsedF64 = Arrays.copyOf(collapsedF64, n);
        }
        epoch[size] = e;
        trainLoss[size] = trL;
        trainAcc[size] = trA;
        testLoss[size] = teL;
        testAcc[size] = teA;
        collapsedF32[size] = cF32;
        collapsedF64[size] = cF64;
        size++;
    }

    public int size() {
        return size;
    }

    public long epoch(int i) {
        return epoch[i];
    }

    public double trainLoss(int i) {
        return trainLoss[i];
    }

    public double testLoss(int i) {
        return testLoss[i];
    }

    public double trainAcc(int i) {
        return trainAcc[i];
    }

    public double testAcc(int i) {
        return testAcc[i];
    }

    /** Fraction of training examples whose float32 softmax had collapsed at row i (NaN: not recorded). */
    public double collapsedF32(int i) {
        return collapsedF32[i];
    }

    /** Fraction of training examples whose float64 softmax had collapsed at row i (NaN: not recorded). */
    public double collapsedF64(int i) {
        return collapsedF64[i];
    }

    /** Keeps only rows with epoch <= lastEpoch (used when resuming from an older checkpoint). */
    public void truncateAfter(long lastEpoch) {
        while (size > 0 && epoch[size - 1] > lastEpoch) {
            size--;
        }
        if (formatted > size) {
            // Rare (resume only): format everything again at the next write.
            for (ColumnText t : text) {
                t.clear();
            }
            formatted = 0;
        }
    }

    /**
     * The file's text. Each column's values are formatted once and kept ({@link ColumnText}): the trainer rewrites
     * the whole file at every checkpoint, and formatting every row each time made a 40,000-epoch run spend 7 s
     * (quadratic) on it, most of a GPU run's time; now a write formats only the rows added since the last one.
     */
    public String toJson() {
        return new String(jsonBytes(), StandardCharsets.US_ASCII);
    }

    private byte[] jsonBytes() {
        formatNewRows();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(jsonLength());
        try {
            writeJson(out);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return out.toByteArray();
    }

    public void write(Path file) throws IOException {
        formatNewRows();
        AtomicFiles.write(file, this::writeJson);
    }

    /**
     * The file as it stands now, to be written later, e.g. on another thread while rows are added here: its
     * {@link Snapshot#write} writes exactly the bytes {@link #write} would write now. Costs a copy of the formatted
     * text (about 1.3 MB at 40,000 epochs); only rows added since the last write or snapshot are formatted.
     */
    public Snapshot snapshot() {
        formatNewRows();
        byte[][] columns = new byte[COLUMNS.length][];
        for (int c = 0; c < COLUMNS.length; c++) {
            columns[c] = Arrays.copyOf(text[c].bytes, text[c].length);
        }
        return new Snapshot(columns, size);
    }

    /** An immutable copy of the history's file content ({@link #snapshot}). */
    public static final class Snapshot {
        private final byte[][] columns;
        private final int rows;

        private Snapshot(byte[][] columns, int rows) {
            this.columns = columns;
            this.rows = rows;
        }

        /** Rows (epochs) in the snapshot. */
        public int rows() {
            return rows;
        }

        /** Writes the file atomically, as {@link History#write} does. */
        public void write(Path file) throws IOException {
            AtomicFiles.write(file, out -> History.writeJson(out, columns));
        }
    }

    private void writeJson(java.io.OutputStream out) throws IOException {
        writeJson(out, text);
    }

    private static void writeJson(java.io.OutputStream out, byte[][] columns) throws IOException {
        ColumnText[] text = new ColumnText[columns.length];
        for (int c = 0; c < columns.length; c++) {
            text[c] = new ColumnText();
            text[c].bytes = columns[c];
            text[c].length = columns[c].length;
        }
        writeJson(out, text);
    }

    private static void writeJson(java.io.OutputStream out, ColumnText[] text) throws IOException {
        out.write('{');
        out.write('\n');
        for (int c = 0; c < COLUMNS.length; c++) {
            out.write(("  \"" + COLUMNS[c] + "\": [").getBytes(StandardCharsets.US_ASCII));
            text[c].writeTo(out);
            out.write(']');
            if (c + 1 < COLUMNS.length) {
                out.write(',');
            }
            out.write('\n');
        }
        out.write('}');
        out.write('\n');
    }

    private int jsonLength() {
        int n = 16;
        for (int c = 0; c < COLUMNS.length; c++) {
            n += COLUMNS[c].length() + 8 + text[c].length;
        }
        return n;
    }

    private void formatNewRows() {
        for (int i = formatted; i < size; i++) {
            text[0].append(Long.toString(epoch[i]), i);
            text[1].append(finiteOrNull(trainLoss[i]), i);
            text[2].append(finiteOrNull(testLoss[i]), i);
            text[3].append(finiteOrNull(trainAcc[i]), i);
            text[4].append(finiteOrNull(testAcc[i]), i);
            text[5].append(finiteOrNull(collapsedF32[i]), i);
            text[6].append(finiteOrNull(collapsedF64[i]), i);
        }
        formatted = size;
    }

    private static String finiteOrNull(double x) {
        return Double.isFinite(x) ? Double.toString(x) : "null";
    }

    /** One column's comma-separated JSON values for rows [0, formatted), as ASCII bytes. */
    private static final class ColumnText {
        private byte[] bytes = new byte[1 << 12];
        private int length;

        void append(String value, int row) {
            int need = length + value.length() + 1;
            if (need > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(need, bytes.length * 2));
            }
            if (row > 0) {
                bytes[length++] = ',';
            }
            for (int i = 0; i < value.length(); i++) {
                bytes[length++] = (byte) value.charAt(i);
            }
        }

        void clear() {
            length = 0;
        }

        void writeTo(java.io.OutputStream out) throws IOException {
            out.write(bytes, 0, length);
        }
    }

    public static History read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError("history " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("history " + file + " cannot be read: " + e.getMessage());
        }
        try {
            JsonObject o = new Gson().fromJson(text, JsonObject.class);
            JsonArray[] cols = new JsonArray[COLUMNS.length];
            for (int c = 0; c < COLUMNS.length; c++) {
                cols[c] = o.getAsJsonArray(COLUMNS[c]);
                if (cols[c] == null && c >= FIRST_OPTIONAL_COLUMN) {
                    continue;
                }
                if (cols[c] == null || cols[c].size() != cols[0].size()) {
                    throw new UserError("history " + file + " lacks column '" + COLUMNS[c]
                            + "' or its columns differ in length");
                }
            }
            History h = new History();
            for (int i = 0; i < cols[0].size(); i++) {
                h.accept(cols[0].get(i).getAsLong(), num(cols[1].get(i)), num(cols[3].get(i)), num(cols[2].get(i)),
                        num(cols[4].get(i)), cols[5] == null ? Double.NaN : num(cols[5].get(i)),
                        cols[6] == null ? Double.NaN : num(cols[6].get(i)));
            }
            return h;
        } catch (JsonParseException | IllegalStateException | NullPointerException | ClassCastException
                 | NumberFormatException | UnsupportedOperationException e) {
            throw new UserError("history " + file + " is not valid jgrok history JSON (" + JsonErrors.describe(e) + ")");
        }
    }

    private static double num(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
