package io.jgrok.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.jgrok.engine.Engine;
import io.jgrok.io.AtomicFiles;
import io.jgrok.io.RunDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code logs/run_info.json}: how the run was trained, session by session. A run is bit-identical on resume only
 * when the numerics stay the same (engine, BLAS and its kernels, threads, SIMD path or device, Java); resuming after
 * OpenBLAS was installed, or on a node with another core count after a SLURM requeue, silently continues on other
 * numerics. So every session records its numerics ({@link Engine#numerics()} plus the Java runtime) when it starts,
 * and a session whose numerics differ from the previous session's says so in one line.
 *
 * <pre>
 * {"status": "running" | "done" | "interrupted" | "diverged",
 *  "engine": one-line description, "device": the --device asked for,
 *  "epochs_done", "n_epochs", "session_first_epoch", "session_wall_seconds", "epochs_per_second", "updated",
 *  "numerics": {"engine", "blas", "threads", "simd" | "device", "java"}   this session's,
 *  "sessions": [{"first_epoch", "started", "numerics"}, ...]              every session, oldest first,
 *  "stop_reason": why a session stopped early (a full disk), when it did,
 *  "imported_from": {...}                                                   a run made by ./jgrok import}
 * </pre>
 */
final class RunInfo {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    private final RunDirectory dir;
    private final JsonArray sessions;
    private final JsonObject numerics;
    /** Where the run's first epochs came from ({@code ./jgrok import}), kept from session to session; or null. */
    private final JsonElement importedFrom;
    private String stopReason;

    private RunInfo(RunDirectory dir, JsonArray sessions, JsonObject numerics, JsonElement importedFrom) {
        this.dir = dir;
        this.sessions = sessions;
        this.numerics = numerics;
        this.importedFrom = importedFrom;
    }

    /** This JVM's numerics for {@code engine}: the engine's own facts and the Java runtime. */
    static JsonObject numerics(Engine engine) {
        JsonObject o = new JsonObject();
        engine.numerics().forEach(o::addProperty);
        o.addProperty("java", Runtime.version().toString());
        return o;
    }

    /**
     * Starts a session at {@code firstEpoch}: reads the sessions so far, tells {@code notices} in one line when this
     * one computes differently from the last, and records this one (status "running"), so that even a session
     * that is killed leaves its numerics behind.
     */
    static RunInfo begin(RunDirectory dir, Engine engine, String description, String device, long firstEpoch,
                         long nEpochs, PrintStream notices) {
        JsonObject previous = read(dir.runInfo());
        JsonArray sessions = previous != null && previous.get("sessions") instanceof JsonArray a ? a.deepCopy()
                : new JsonArray();
        JsonObject before = lastNumerics(previous, sessions);
        JsonObject now = numerics(engine);
        if (firstEpoch > 0 && before != null) {
            String changed = differences(before, now);
            if (changed != null) {
                notices.println("jgrok: note: this session computes differently from the one before (" + changed
                        + "); the run goes on, but it will not be bit-identical to an uninterrupted run");
            }
        }
        JsonObject session = new JsonObject();
        session.addProperty("first_epoch", firstEpoch);
        session.addProperty("started", Instant.now().toString());
        session.add("numerics", now);
        sessions.add(session);
        RunInfo info = new RunInfo(dir, sessions, now, previous == null ? null : previous.get("imported_from"));
        info.write("running", description, device, firstEpoch, nEpochs, firstEpoch, 0, 0);
        return info;
    }

    /** Why the session stops early (e.g. "the disk is full: cannot write ..."), written with the next state. */
    void stop(String reason) {
        stopReason = reason;
    }

    /** Writes the state of the session (status, progress and speed) with every session's numerics. */
    void write(String status, String description, String device, long epochsDone, long nEpochs, long firstEpoch,
               double wallSeconds, double epochsPerSecond) {
        JsonObject o = new JsonObject();
        o.addProperty("status", status);
        o.addProperty("engine", description);
        o.addProperty("device", device);
        o.addProperty("epochs_done", epochsDone);
        o.addProperty("n_epochs", nEpochs);
        o.addProperty("session_first_epoch", firstEpoch);
        o.addProperty("session_wall_seconds", wallSeconds);
        o.addProperty("epochs_per_second", epochsPerSecond);
        o.addProperty("updated", Instant.now().toString());
        o.add("numerics", numerics);
        o.add("sessions", sessions);
        if (stopReason != null) {
            o.addProperty("stop_reason", stopReason);
        }
        if (importedFrom != null) {
            o.add("imported_from", importedFrom);
        }
        try {
            AtomicFiles.writeString(dir.runInfo(), GSON.toJson(o));
        } catch (IOException e) {
            throw WriteStops.duringTraining(dir, dir.runInfo(), e);
        }
    }

    /** "threads 2 -> 1; blas OpenBLAS ... -> JavaBLAS": every fact that changed, or null if none did. */
    static String differences(JsonObject before, JsonObject now) {
        List<String> keys = new ArrayList<>(before.keySet());
        for (String k : now.keySet()) {
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
        List<String> changed = new ArrayList<>();
        for (String k : keys) {
            String a = text(before.get(k));
            String b = text(now.get(k));
            if (!a.equals(b)) {
                changed.add(k + " " + (a.isEmpty() ? "(none)" : a) + " -> " + (b.isEmpty() ? "(none)" : b));
            }
        }
        return changed.isEmpty() ? null : String.join("; ", changed);
    }

    /** The numerics of the last session recorded, or null (a run trained before sessions were recorded). */
    private static JsonObject lastNumerics(JsonObject previous, JsonArray sessions) {
        if (!sessions.isEmpty() && sessions.get(sessions.size() - 1) instanceof JsonObject last
                && last.get("numerics") instanceof JsonObject n) {
            return n;
        }
        return previous != null && previous.get("numerics") instanceof JsonObject n ? n : null;
    }

    private static String text(JsonElement e) {
        return e == null || e.isJsonNull() ? "" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    /** The file's object, or null when it is missing or unreadable (it is a log, not an input a run needs). */
    static JsonObject read(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return GSON.fromJson(Files.readString(file), JsonObject.class);
        } catch (IOException | JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    /** The numerics each session used, oldest first (for tests and tools). */
    static List<Map<String, String>> sessionNumerics(Path file) {
        List<Map<String, String>> out = new ArrayList<>();
        JsonObject o = read(file);
        if (o != null && o.get("sessions") instanceof JsonArray a) {
            for (JsonElement s : a) {
                Map<String, String> m = new LinkedHashMap<>();
                if (s instanceof JsonObject so && so.get("numerics") instanceof JsonObject n) {
                    n.entrySet().forEach(e -> m.put(e.getKey(), text(e.getValue())));
                }
                out.add(m);
            }
        }
        return out;
    }
}
