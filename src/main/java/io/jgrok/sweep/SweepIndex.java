package io.jgrok.sweep;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.UserError;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.JsonErrors;
import io.jgrok.io.WriteError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The sweep index: every run's status, exit reason, epochs to grok and timing, rewritten atomically on every change
 * so that a sweep killed at any moment restarts where it stopped. A whole sweep keeps it in
 * {@code SWEEP_DIR/sweep_index.json}; shard I of N keeps the runs it owns in
 * {@code SWEEP_DIR/sweep_index.shard-I-of-N.json} (shards never write the same file), and {@code jgrok sweep merge}
 * combines those into {@code sweep_index.json}.
 *
 * <pre>
 * {"format": "jgrok-sweep-index-1", "spec": {the spec as given}, "spec_dir": the spec file's directory,
 *  "shard": "I/N" or null, "total_runs": n,
 *  "updated": ISO time, "runs": [RunRecord, ...]}   (RunRecord: see its fields; JSON names in snake_case)
 * </pre>
 */
public final class SweepIndex {
    public static final String FORMAT = "jgrok-sweep-index-1";
    public static final String FILE = "sweep_index.json";
    private static final Pattern SHARD_FILE = Pattern.compile("sweep_index\\.shard-(\\d+)-of-(\\d+)\\.json");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeNulls().create();

    private final Path file;
    private final JsonObject spec;
    private final String specDir;
    private final Shard shard;
    private final int totalRuns;
    private final Map<String, RunRecord> runs;

    private SweepIndex(Path file, JsonObject spec, String specDir, Shard shard, int totalRuns,
                       Map<String, RunRecord> runs) {
        this.file = file;
        this.spec = spec;
        this.specDir = specDir;
        this.shard = shard;
        this.totalRuns = totalRuns;
        this.runs = runs;
    }

    /** Where the index of a whole sweep (shard null) or of one shard lives. */
    public static Path file(Path sweepDir, Shard shard) {
        return sweepDir.resolve(shard == null ? FILE
                : "sweep_index.shard-" + shard.number() + "-of-" + shard.count() + ".json");
    }

    /**
     * The lock file of an index ({@code .sweep_index.json.lock}, {@code .sweep_index.shard-I-of-N.json.lock}): one
     * process at a time writes an index ({@link io.jgrok.io.WriterLock}; hidden, and empty when no one holds it).
     */
    public static Path lockFile(Path sweepDir, Shard shard) {
        return sweepDir.resolve("." + file(sweepDir, shard).getFileName() + ".lock");
    }

    /** Run directory of a run, relative to the sweep directory. */
    public static String runDir(String name) {
        return "runs/" + name;
    }

    /**
     * Opens the index of this sweep (or shard) in {@code sweepDir}, creating it with every owned run pending. An
     * existing index must come from the same spec: a different spec in the same directory is refused.
     */
    public static SweepIndex openOrCreate(Path sweepDir, SweepSpec spec, Shard shard, List<SweepRun> allRuns) {
        Path file = file(sweepDir, shard);
        List<SweepRun> owned = allRuns.stream().filter(r -> shard == null || shard.owns(r.index())).toList();
        if (Files.exists(file)) {
            SweepIndex existing = read(file);
            if (!existing.spec.equals(spec.json())) {
                throw new UserError(sweepDir + " holds a sweep of a different spec (" + file.getFileName() + "); "
                        + "use another --out directory, or the spec it was started with");
            }
            List<String> want = owned.stream().map(SweepRun::name).toList();
            if (!new ArrayList<>(existing.runs.keySet()).equals(want)) {
                throw new UserError(file + " lists other runs than the spec gives; it was not written for this "
                        + "spec and shard");
            }
            return existing;
        }
        Map<String, RunRecord> records = new LinkedHashMap<>();
        for (SweepRun r : owned) {
            RunRecord rec = new RunRecord(r.index(), r.name(), runDir(r.name()), r.shape().label());
            rec.nEpochs = r.config().nEpochs();
            records.put(r.name(), rec);
        }
        SweepIndex index = new SweepIndex(file, spec.json(), spec.baseDir().toString(), shard, allRuns.size(),
                records);
        try {
            Files.createDirectories(sweepDir);
        } catch (IOException e) {
            throw new UserError("cannot create sweep directory " + sweepDir + ": " + e.getMessage());
        }
        index.save();
        return index;
    }

    public static SweepIndex read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("cannot read sweep index " + file + ": " + e.getMessage());
        }
        try {
            JsonObject o = GSON.fromJson(text, JsonObject.class);
            if (o == null || !o.has("format") || !FORMAT.equals(o.get("format").getAsString())) {
                throw new UserError(file + " is not a " + FORMAT + " sweep index");
            }
            JsonElement s = o.get("shard");
            Shard shard = s == null || s.isJsonNull() ? null : Shard.parse(s.getAsString());
            Map<String, RunRecord> records = new LinkedHashMap<>();
            for (JsonElement e : o.getAsJsonArray("runs")) {
                RunRecord r = RunRecord.fromJson(e.getAsJsonObject());
                records.put(r.name, r);
            }
            return new SweepIndex(file, o.getAsJsonObject("spec"), o.get("spec_dir").getAsString(), shard,
                    o.get("total_runs").getAsInt(), records);
        } catch (JsonParseException | IllegalStateException | NullPointerException | ClassCastException
                 | UnsupportedOperationException | NumberFormatException e) {
            throw new UserError("sweep index " + file + " is damaged (" + JsonErrors.describe(e) + ")");
        }
    }

    /** The shard index files in {@code sweepDir}, in shard order. */
    public static List<Path> shardFiles(Path sweepDir) {
        if (!Files.isDirectory(sweepDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(sweepDir)) {
            List<Path> out = new ArrayList<>(s.filter(f -> SHARD_FILE.matcher(f.getFileName().toString()).matches())
                    .toList());
            out.sort((a, b) -> Integer.compare(shardNumber(a), shardNumber(b)));
            return out;
        } catch (IOException e) {
            throw new UserError("cannot list " + sweepDir + ": " + e.getMessage());
        }
    }

    private static int shardNumber(Path f) {
        Matcher m = SHARD_FILE.matcher(f.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * The whole sweep's index from its shards' indexes: each run's record is taken from the shard that owns it;
     * runs whose shard has no index yet are pending. Written to {@code sweepDir/sweep_index.json}.
     */
    public static SweepIndex merge(Path sweepDir, List<SweepIndex> shards, List<SweepRun> allRuns) {
        JsonObject spec = shards.get(0).spec;
        Map<String, RunRecord> records = new LinkedHashMap<>();
        Map<String, RunRecord> found = new LinkedHashMap<>();
        for (SweepIndex s : shards) {
            if (!s.spec.equals(spec)) {
                throw new UserError("the shard indexes in " + sweepDir + " come from different specs");
            }
            for (RunRecord r : s.runs.values()) {
                found.put(r.name, r.copy());
            }
        }
        for (SweepRun run : allRuns) {
            RunRecord r = found.get(run.name());
            if (r == null) {
                r = new RunRecord(run.index(), run.name(), runDir(run.name()), run.shape().label());
                r.nEpochs = run.config().nEpochs();
            }
            records.put(run.name(), r);
        }
        SweepIndex merged = new SweepIndex(file(sweepDir, null), spec.deepCopy(), shards.get(0).specDir, null,
                allRuns.size(), records);
        merged.save();
        return merged;
    }

    public JsonObject spec() {
        return spec.deepCopy();
    }

    /** Directory of the spec file the sweep was started from (its init and split_file paths are relative to it). */
    public Path specDir() {
        return Path.of(specDir);
    }

    public Shard shard() {
        return shard;
    }

    public Path path() {
        return file;
    }

    /** Copies of the records, in the spec's order. */
    public synchronized List<RunRecord> records() {
        List<RunRecord> out = new ArrayList<>();
        for (RunRecord r : runs.values()) {
            out.add(r.copy());
        }
        return out;
    }

    public synchronized RunRecord record(String name) {
        RunRecord r = runs.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no run named " + name + " in " + file);
        }
        return r.copy();
    }

    /** Changes one run's record and writes the index (atomically) before returning. */
    public synchronized void update(String name, Consumer<RunRecord> change) {
        RunRecord r = runs.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no run named " + name + " in " + file);
        }
        change.accept(r);
        save();
    }

    private synchronized void save() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.add("spec", spec);
        o.addProperty("spec_dir", specDir);
        o.add("shard", shard == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(shard.toString()));
        o.addProperty("total_runs", totalRuns);
        o.addProperty("updated", Instant.now().toString());
        JsonArray a = new JsonArray();
        for (RunRecord r : runs.values()) {
            a.add(r.toJson());
        }
        o.add("runs", a);
        try {
            AtomicFiles.writeString(file, GSON.toJson(o) + "\n");
        } catch (IOException e) {
            throw writeError(e, file);
        }
    }

    /** A sweep file (the index, the summary) could not be written: one line, and how to go on. */
    static WriteError writeError(IOException e, Path file) {
        String detail = WriteError.describe(e, file);
        return new WriteError(detail, detail + "; the runs' own files are intact; " + (detail.startsWith(
                WriteError.DISK_FULL) ? "free some space" : "fix that") + ", then run the same sweep command "
                + "again to resume", e);
    }
}
