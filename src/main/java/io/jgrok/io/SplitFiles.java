package io.jgrok.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;
import io.jgrok.data.Split;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code split.json}: {@code {"p": P, "train_indices": [...], "test_indices": [...]}} with flat indices a*p + b,
 * train in shuffled order. {@code --split_file} accepts this file, or any JSON with {@code train_indices}, or a
 * plain list of train indices.
 */
public final class SplitFiles {
    private SplitFiles() {
    }

    public static void write(Path file, Split split) throws IOException {
        write(file, split, null);
    }

    /**
     * As {@link #write(Path, Split)}, with a {@code "source"} field saying where the split came from (the config's
     * method and seed, or a --split_file): with a split file, the config's train_fraction and split method do not
     * describe the run's data, and this is where a reader finds out. Readers ignore the field.
     */
    public static void write(Path file, Split split, String source) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"p\": ").append(split.p());
        if (source != null) {
            sb.append(",\n  \"source\": ").append(new Gson().toJson(source));
        }
        sb.append(",\n  \"train_indices\": ");
        appendInts(sb, split.train());
        sb.append(",\n  \"test_indices\": ");
        appendInts(sb, split.test());
        sb.append("\n}\n");
        AtomicFiles.writeString(file, sb.toString());
    }

    private static void appendInts(StringBuilder sb, int[] values) {
        sb.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(values[i]);
        }
        sb.append(']');
    }

    /** Reads a split for p; the test set is taken from the file when present, else every other pair. */
    public static Split read(Path file, int p) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError("split file " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("split file " + file + " cannot be read: " + e.getMessage());
        }
        String source = "split file " + file;
        try {
            var root = new Gson().fromJson(text, com.google.gson.JsonElement.class);
            JsonArray train;
            JsonArray test = null;
            if (root != null && root.isJsonArray()) {
                train = root.getAsJsonArray();
            } else if (root != null && root.isJsonObject() && root.getAsJsonObject().has("train_indices")) {
                JsonObject o = root.getAsJsonObject();
                if (o.has("p") && o.get("p").getAsInt() != p) {
                    throw new UserError(source + " is for p = " + o.get("p").getAsInt() + ", but this run has p = " + p);
                }
                train = o.getAsJsonArray("train_indices");
                test = o.has("test_indices") ? o.getAsJsonArray("test_indices") : null;
            } else {
                throw new UserError(source + " must be a JSON list of train indices or an object with "
                        + "'train_indices'");
            }
            int[] tr = toInts(train, source);
            return test == null ? Split.fromTrainIndices(p, tr, source) : Split.of(p, tr, toInts(test, source), source);
        } catch (NumberFormatException | ClassCastException e) {
            throw new UserError(source + ": p and every index must be whole numbers (" + JsonErrors.describe(e) + ")");
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new UserError(source + " is not valid JSON (" + JsonErrors.describe(e) + ")");
        }
    }

    private static int[] toInts(JsonArray a, String source) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            double d = a.get(i).getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new UserError(source + ": index " + a.get(i) + " is not an integer");
            }
            out[i] = (int) d;
        }
        return out;
    }
}
