package io.jgrok.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;
import io.jgrok.engine.EpochSink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The training history: one row per epoch (losses and accuracies of the weights before that epoch's step), as
 * {@code logs/training_history.json} with arrays {@code epoch, train_loss, test_loss, train_acc, test_acc}; test
 * entries are {@code null} on epochs where the test set was not evaluated.
 */
public final class History implements EpochSink {
    public static final String[] COLUMNS = {"epoch", "train_loss", "test_loss", "train_acc", "test_acc"};

    private long[] epoch = new long[1024];
    private double[] trainLoss = new double[1024];
    private double[] testLoss = new double[1024];
    private double[] trainAcc = new double[1024];
    private double[] testAcc = new double[1024];
    private int size;

    @Override
    public void accept(long e, double trL, double trA, double teL, double teA) {
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
        }
        epoch[size] = e;
        trainLoss[size] = trL;
        trainAcc[size] = trA;
        testLoss[size] = teL;
        testAcc[size] = teA;
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

    /** Keeps only rows with epoch <= lastEpoch (used when resuming from an older checkpoint). */
    public void truncateAfter(long lastEpoch) {
        while (size > 0 && epoch[size - 1] > lastEpoch) {
            size--;
        }
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder(size * 100 + 100);
        sb.append("{\n");
        appendLongs(sb, "epoch", epoch);
        sb.append(",\n");
        appendDoubles(sb, "train_loss", trainLoss);
        sb.append(",\n");
        appendDoubles(sb, "test_loss", testLoss);
        sb.append(",\n");
        appendDoubles(sb, "train_acc", trainAcc);
        sb.append(",\n");
        appendDoubles(sb, "test_acc", testAcc);
        sb.append("\n}\n");
        return sb.toString();
    }

    private void appendLongs(StringBuilder sb, String key, long[] values) {
        sb.append("  \"").append(key).append("\": [");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(values[i]);
        }
        sb.append(']');
    }

    private void appendDoubles(StringBuilder sb, String key, double[] values) {
        sb.append("  \"").append(key).append("\": [");
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                sb.append(',');
            }
            double x = values[i];
            if (Double.isFinite(x)) {
                sb.append(x);
            } else {
                sb.append("null");
            }
        }
        sb.append(']');
    }

    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
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
                if (cols[c] == null || cols[c].size() != cols[0].size()) {
                    throw new UserError("history " + file + " lacks column '" + COLUMNS[c]
                            + "' or its columns differ in length");
                }
            }
            History h = new History();
            for (int i = 0; i < cols[0].size(); i++) {
                h.accept(cols[0].get(i).getAsLong(), num(cols[1].get(i)), num(cols[3].get(i)), num(cols[2].get(i)),
                        num(cols[4].get(i)));
            }
            return h;
        } catch (JsonParseException | IllegalStateException | NullPointerException | ClassCastException e) {
            throw new UserError("history " + file + " is not valid jgrok history JSON (" + JsonErrors.describe(e) + ")");
        }
    }

    private static double num(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
