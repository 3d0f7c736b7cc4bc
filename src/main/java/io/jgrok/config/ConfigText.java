package io.jgrok.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A config as the {@code ./jgrok train} flags that would set it: the printout at the start of a run and the
 * report's configuration list use the flags' names and values, so that what is printed can be typed back.
 * config.json keeps its own field names (older runs and checkpoints hold them); three differ from their flags.
 */
public final class ConfigText {
    /** config.json field name to flag name, where they differ. */
    private static final Map<String, String> FLAG_NAMES = Map.of(
            "init", "init_scheme",
            "train_mlp_biases", "mlp_biases",
            "split", "split_method");

    private ConfigText() {
    }

    /** Flag name to flag value, in config.json's order. */
    public static Map<String, String> flags(RunConfig config) {
        JsonObject json = JsonParser.parseString(config.toJson()).getAsJsonObject();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            String key = e.getKey();
            JsonElement v = e.getValue();
            String value = v.isJsonPrimitive() ? v.getAsString() : v.toString();
            if (key.equals("train_mlp_biases")) {
                value = v.getAsBoolean() ? "trained" : "frozen";
            }
            out.put(FLAG_NAMES.getOrDefault(key, key), value);
        }
        return out;
    }

    /** One line per flag, "  --name value" aligned, for printing at the start of a run. */
    public static String describe(RunConfig config) {
        Map<String, String> flags = flags(config);
        int width = flags.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> f : flags.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  --%-" + width + "s %s%n", f.getKey(), f.getValue()));
        }
        return sb.toString();
    }
}
