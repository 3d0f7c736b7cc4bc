package io.jgrok.sweep;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.io.JsonErrors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sweep spec: a JSON object whose keys are {@code ./jgrok train} flag names. A key with one value (string,
 * number, boolean) fixes that flag for every run; a key with a list of values, or an integer range written as the
 * string {@code "A..B"} (both ends included), is an axis, and the runs are the cartesian product of the axes, the
 * first axis varying slowest. Besides flags a spec may hold {@code "analysis": "full" | "none"} (whether each
 * finished run is analysed; default full). {@code "seeds"} and {@code "data_seeds"} are accepted for
 * {@code seed} and {@code data_seed}. Unless the spec says otherwise each run gets {@code threads} 1 and
 * {@code device} cpu: a sweep spreads the cores over runs, and a run with one thread is bit-identical to the same
 * run trained alone with {@code --threads 1}. {@code init} and {@code split_file} paths are relative to the
 * spec's directory.
 *
 * <p>Example: {@code {"n_epochs": 20000, "seeds": "1..5", "weight_decay": [0.3, 1, 3],
 * "train_fraction": [0.2, 0.3, 0.5]}} gives 45 runs named like {@code seed1-wd0.3-frac0.2}.
 */
public final class SweepSpec {
    public static final String ANALYSIS_KEY = "analysis";
    /** More runs than this is almost certainly a typo in a range. */
    public static final int MAX_RUNS = 100_000;

    private static final Pattern RANGE = Pattern.compile("\\s*(-?\\d+)\\s*\\.\\.\\s*(-?\\d+)\\s*");
    private static final Map<String, String> ALIASES = Map.of("seeds", "seed", "data_seeds", "data_seed");
    /** Short names for run directory names; other flags use their own name. */
    private static final Map<String, String> SHORT = Map.ofEntries(
            Map.entry("weight_decay", "wd"), Map.entry("train_fraction", "frac"), Map.entry("seed", "seed"),
            Map.entry("data_seed", "dseed"), Map.entry("p", "p"), Map.entry("lr", "lr"),
            Map.entry("n_epochs", "ep"), Map.entry("d_model", "d"), Map.entry("n_heads", "h"),
            Map.entry("d_mlp", "mlp"), Map.entry("grokfast", "gf-"), Map.entry("grokfast_alpha", "gfa"),
            Map.entry("grokfast_lambda", "gfl"), Map.entry("grokfast_window", "gfw"), Map.entry("preset", ""),
            Map.entry("loss", ""), Map.entry("grad_projection", "proj-"));

    /** Whether finished runs are analysed (key frequencies, clustered fraction). */
    public enum Analysis {
        FULL, NONE
    }

    /** One varying flag and its values, in the spec's order. */
    public record Axis(String flag, List<JsonPrimitive> values) {
    }

    private final String origin;
    private final JsonObject source;
    private final Map<String, JsonPrimitive> fixed;
    private final List<Axis> axes;
    private final Analysis analysis;
    private final Path baseDir;

    private SweepSpec(String origin, JsonObject source, Map<String, JsonPrimitive> fixed, List<Axis> axes,
                      Analysis analysis, Path baseDir) {
        this.origin = origin;
        this.source = source;
        this.fixed = fixed;
        this.axes = axes;
        this.analysis = analysis;
        this.baseDir = baseDir;
    }

    public static SweepSpec read(Path file, ConfigResolver flags) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError("sweep spec " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("sweep spec " + file + " cannot be read: " + e.getMessage());
        }
        Path parent = file.toAbsolutePath().getParent();
        return parse(text, parent, file.toString(), flags);
    }

    /** Parses spec text; {@code origin} names it in error messages. */
    public static SweepSpec parse(String json, Path baseDir, String origin, ConfigResolver flags) {
        JsonObject o;
        try {
            JsonElement e = new Gson().fromJson(json, JsonElement.class);
            if (e == null || !e.isJsonObject()) {
                throw new UserError("sweep spec " + origin + " must be a JSON object of train flags, e.g. "
                        + "{\"seeds\": \"1..5\", \"weight_decay\": [0.3, 1, 3]}");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new UserError("sweep spec " + origin + " is not valid JSON (" + JsonErrors.describe(e) + ")");
        }
        return fromJson(o, baseDir, origin, flags);
    }

    /** A spec from its JSON object (as stored in a sweep index). */
    public static SweepSpec fromJson(JsonObject o, Path baseDir, String origin, ConfigResolver flags) {
        Map<String, JsonPrimitive> fixed = new LinkedHashMap<>();
        List<Axis> axes = new ArrayList<>();
        Analysis analysis = Analysis.FULL;
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, JsonElement> entry : o.entrySet()) {
            String key = entry.getKey();
            JsonElement value = entry.getValue();
            if (key.equals(ANALYSIS_KEY)) {
                String a = value.isJsonPrimitive() ? value.getAsString() : "";
                analysis = switch (a) {
                    case "full" -> Analysis.FULL;
                    case "none" -> Analysis.NONE;
                    default -> throw new UserError("sweep spec " + origin + ": \"analysis\" must be \"full\" or "
                            + "\"none\", got " + value);
                };
                continue;
            }
            String flag = flags.canonicalFlag(ALIASES.getOrDefault(key, key));
            if (flag == null) {
                String near = flags.nearestFlag(key);
                throw new UserError("sweep spec " + origin + ": unknown key '" + key + "'"
                        + (near == null ? "" : " (did you mean '" + near + "'?)") + "; keys are the flags of "
                        + "./jgrok train (see ./jgrok train --help, except out, resume, force, quiet) and "
                        + "\"analysis\"");
            }
            if (!seen.add(flag)) {
                throw new UserError("sweep spec " + origin + ": flag '" + flag + "' is given more than once");
            }
            List<JsonPrimitive> values = values(origin, key, value);
            if (values.size() == 1 && !value.isJsonArray() && !isRange(value)) {
                fixed.put(flag, values.get(0));
            } else {
                if (flag.equals("device")) {
                    throw new UserError("sweep spec " + origin + ": 'device' cannot vary within a sweep");
                }
                axes.add(new Axis(flag, List.copyOf(values)));
            }
        }
        return new SweepSpec(origin, o.deepCopy(), fixed, List.copyOf(axes), analysis, baseDir);
    }

    private static boolean isRange(JsonElement v) {
        return v.isJsonPrimitive() && v.getAsJsonPrimitive().isString() && RANGE.matcher(v.getAsString()).matches();
    }

    private static List<JsonPrimitive> values(String origin, String key, JsonElement value) {
        String where = "sweep spec " + origin + ": '" + key + "' ";
        List<JsonPrimitive> out = new ArrayList<>();
        if (isRange(value)) {
            Matcher m = RANGE.matcher(value.getAsString());
            m.matches();
            long from = Long.parseLong(m.group(1));
            long to = Long.parseLong(m.group(2));
            if (to < from || to - from >= MAX_RUNS) {
                throw new UserError(where + "range " + value.getAsString() + " must run upwards and hold at most "
                        + MAX_RUNS + " values");
            }
            for (long v = from; v <= to; v++) {
                out.add(new JsonPrimitive(v));
            }
            return out;
        }
        if (value.isJsonArray()) {
            JsonArray a = value.getAsJsonArray();
            if (a.isEmpty()) {
                throw new UserError(where + "has an empty list of values");
            }
            Set<String> distinct = new HashSet<>();
            for (JsonElement e : a) {
                if (!e.isJsonPrimitive()) {
                    throw new UserError(where + "lists " + e + "; list values must be numbers, strings or booleans");
                }
                if (!distinct.add(e.getAsString())) {
                    throw new UserError(where + "lists " + e + " twice");
                }
                out.add(e.getAsJsonPrimitive());
            }
            return out;
        }
        if (!value.isJsonPrimitive()) {
            throw new UserError(where + "must be a number, string, boolean, a list of those, or a range \"A..B\"; "
                    + "got " + value);
        }
        out.add(value.getAsJsonPrimitive());
        return out;
    }

    public JsonObject json() {
        return source.deepCopy();
    }

    public Path baseDir() {
        return baseDir;
    }

    public List<Axis> axes() {
        return axes;
    }

    public Analysis analysis() {
        return analysis;
    }

    /** Number of runs: the product of the axis lengths. */
    public long runCount() {
        long n = 1;
        for (Axis a : axes) {
            n *= a.values().size();
            if (n > MAX_RUNS) {
                return n;
            }
        }
        return n;
    }

    /**
     * Every run of the spec, in order, each config resolved and validated as {@code ./jgrok train} would; the first
     * bad run is a one-line error naming it.
     */
    public List<SweepRun> expand(ConfigResolver flags) {
        long n = runCount();
        if (n > MAX_RUNS) {
            throw new UserError("sweep spec " + origin + " gives more than " + MAX_RUNS + " runs");
        }
        List<SweepRun> runs = new ArrayList<>((int) n);
        Set<String> names = new HashSet<>();
        int[] at = new int[axes.size()];
        for (int i = 0; i < n; i++) {
            Map<String, JsonPrimitive> params = new LinkedHashMap<>();
            for (int a = 0; a < axes.size(); a++) {
                params.put(axes.get(a).flag(), axes.get(a).values().get(at[a]));
            }
            String name = name(params);
            if (!names.add(name)) {
                throw new UserError("sweep spec " + origin + ": two runs would both be named '" + name + "'; make "
                        + "the listed values distinct");
            }
            runs.add(run(i, name, params, flags));
            for (int a = axes.size() - 1; a >= 0; a--) {
                if (++at[a] < axes.get(a).values().size()) {
                    break;
                }
                at[a] = 0;
            }
        }
        return runs;
    }

    private SweepRun run(int index, String name, Map<String, JsonPrimitive> params, ConfigResolver flags) {
        Map<String, String> f = new LinkedHashMap<>();
        fixed.forEach((k, v) -> f.put(k, v.getAsString()));
        params.forEach((k, v) -> f.put(k, v.getAsString()));
        f.putIfAbsent("threads", "1");
        f.putIfAbsent("device", "cpu");
        Path init = path(f.remove("init"), name);
        Path split = path(f.remove("split_file"), name);
        RunConfig config;
        try {
            config = flags.resolve(f);
        } catch (UserError e) {
            throw new UserError(where(name) + ": " + e.getMessage());
        }
        return new SweepRun(index, name, java.util.Collections.unmodifiableMap(params), config, init, split);
    }

    private Path path(String value, String run) {
        if (value == null) {
            return null;
        }
        Path p = baseDir.resolve(value);
        if (!Files.isRegularFile(p)) {
            throw new UserError(where(run) + ": file " + p + " does not exist");
        }
        return p;
    }

    /** "sweep spec FILE, run NAME" for error messages; a spec without axes has one run and needs no name. */
    private String where(String run) {
        return "sweep spec " + origin + (axes.isEmpty() ? "" : ", run " + run);
    }

    /** The run's directory name from its axis values, e.g. {@code wd0.3-frac0.2-seed1}; "run" with no axes. */
    static String name(Map<String, JsonPrimitive> params) {
        if (params.isEmpty()) {
            return "run";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonPrimitive> e : params.entrySet()) {
            if (sb.length() > 0) {
                sb.append('-');
            }
            String prefix = SHORT.getOrDefault(e.getKey(), e.getKey() + "_");
            sb.append(prefix).append(e.getValue().getAsString().toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9.+_-]", "_"));
        }
        return sb.toString();
    }
}
