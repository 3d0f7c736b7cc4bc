package io.jgrok.check;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.ToNumberPolicy;
import io.jgrok.UserError;
import io.jgrok.device.Cufft;
import io.jgrok.device.Devices;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code jgrok gpu-check}: everything a GPU machine should prove and measure, in one command of the jar (no Maven,
 * no test classpath), in one run of at most 8 minutes on an H100/H200. It probes the machine, runs the device checks
 * the tests run (the same code: {@link DeviceCheck}), measures the paper config (epochs/s, the per-kernel profile,
 * sweep throughput, a real {@code train} with its checkpoints and a real {@code analyze} of them), and writes
 * DIR/gpu-check.json (every number), DIR/gpu-check.txt (a one-screen summary), DIR/profile.txt (the per-kernel
 * table) and DIR/gpu-check.log (everything printed). Exit status 0 when every check passed, 1 when one failed or
 * could not run, 2 when the device cannot be used at all.
 *
 * <p>Every part ({@link Part}) runs in a process of its own with a time cap, and a part of checks is restarted in a
 * fresh process after a check that crashed, hung, or left the CUDA context unusable (a kernel fault poisons it): one
 * failing check costs itself, not the run. A check that poisoned the context is run once more alone with
 * {@code JGROK_DEVICE_SYNC=1}, so the report names the faulting kernel.
 */
public final class GpuCheck {
    /** The whole run's default time budget, in seconds: the caps of a full run, within 8 minutes. */
    public static final int FULL_BUDGET_SECONDS = 470;
    /** With --quick (small sizes, meant for the emulated device on a shared machine). */
    public static final int QUICK_BUDGET_SECONDS = 900;
    /** Reads results back with whole numbers as whole numbers (Gson's default makes every number a double). */
    private static final Gson READER = new GsonBuilder().setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE)
            .create();
    /** Seconds between SIGTERM and SIGKILL for a part that ran past its cap (a train run writes its checkpoint). */
    static final int GRACE_SECONDS = 10;

    /**
     * @param out     where the files go (created)
     * @param device  "cuda" or "emulated"
     * @param quick   small sizes everywhere (what the tests and CI run on the emulated device)
     * @param cufft   cuFFT library to use (file or directory), or null for the search
     * @param work    where the trained run and scratch files go, or null for a temporary directory removed at the end
     * @param budget  seconds the whole run may take
     * @param only    part names to run (empty: all)
     * @param console progress
     */
    public record Options(Path out, String device, boolean quick, String cufft, Path work, int budget,
                          List<String> only, PrintStream console) {
    }

    /** What one part did, for the report. */
    static final class PartResult {
        final Part part;
        String status = "not run";
        String note;
        double seconds;
        int cap;
        final List<Map<String, Object>> checks = new ArrayList<>();
        Map<String, Object> data;

        PartResult(Part part) {
            this.part = part;
        }

        long failed() {
            return checks.stream().filter(c -> !Boolean.TRUE.equals(c.get("pass"))).count();
        }
    }

    private final Options options;
    private final Path work;
    private final boolean ownWork;
    private final PrintStream log;
    private final long deadline;
    private final List<PartResult> results = new ArrayList<>();
    private Map<String, Object> probe;

    private GpuCheck(Options options, Path work, boolean ownWork, PrintStream log) {
        this.options = options;
        this.work = work;
        this.ownWork = ownWork;
        this.log = log;
        this.deadline = System.currentTimeMillis() + 1000L * options.budget();
    }

    /** Runs gpu-check; returns the exit status. */
    public static int run(Options options) {
        if (!options.device().equals("cuda") && !options.device().equals("emulated")) {
            throw new UserError("--device must be cuda or emulated, got '" + options.device() + "'");
        }
        for (String name : options.only()) {
            if (Part.all().stream().noneMatch(p -> p.name().equals(name))) {
                throw new UserError("--only: no part named '" + name + "'; parts: " + String.join(", ",
                        Part.all().stream().map(Part::name).toList()));
            }
        }
        Path work;
        boolean own = options.work() == null;
        try {
            Files.createDirectories(options.out());
            work = own ? Files.createTempDirectory("jgrok-gpu-check-") : Files.createDirectories(options.work());
        } catch (IOException e) {
            throw new UserError("cannot create " + (options.work() == null ? options.out() : options.work()) + ": "
                    + e.getMessage());
        }
        Path logFile = options.out().resolve(GpuCheckReport.LOG);
        try (PrintStream log = new PrintStream(Files.newOutputStream(logFile), true, StandardCharsets.UTF_8)) {
            return new GpuCheck(options, work, own, log).run();
        } catch (IOException e) {
            throw new UserError("cannot write " + logFile + ": " + e.getMessage());
        } finally {
            if (own) {
                deleteTree(work);
            }
        }
    }

    private int run() {
        long t0 = System.currentTimeMillis();
        say(String.format(Locale.ROOT, "jgrok gpu-check: device %s, %s run, time budget %d s; results in %s",
                options.device(), options.quick() ? "quick (small sizes)" : "full (paper config)", options.budget(),
                options.out().toAbsolutePath()));
        List<Part> parts = Part.all().stream().filter(p -> options.only().isEmpty()
                || options.only().contains(p.name()) || p.kind() == Part.Kind.PROBE).toList();
        int index = 0;
        boolean deviceUsable = true;
        for (Part part : parts) {
            index++;
            PartResult r = new PartResult(part);
            results.add(r);
            if (!deviceUsable) {
                r.status = "not run";
                r.note = "the device is not usable";
                continue;
            }
            if (part.name().equals("analyze") && !hasCheckpoints()) {
                r.status = "not run";
                r.note = "no run with checkpoints to analyse (the train part did not write any)";
                say(String.format(Locale.ROOT, "[%2d/%d] %s: not run (%s)", index, parts.size(), part.title(),
                        r.note));
                continue;
            }
            long left = deadline - System.currentTimeMillis();
            r.cap = (int) Math.min(part.cap(options.quick()), left / 1000);
            if (r.cap < 5) {
                r.status = "not run";
                r.note = "the time budget of " + options.budget() + " s was spent";
                say(String.format(Locale.ROOT, "[%2d/%d] %s: not run (%s)", index, parts.size(), part.title(),
                        r.note));
                continue;
            }
            say(String.format(Locale.ROOT, "[%2d/%d] %s (cap %d s)", index, parts.size(), part.title(), r.cap));
            long p0 = System.currentTimeMillis();
            switch (part.kind()) {
                case PROBE -> runProbe(r);
                case CHECKS -> runChecks(r);
                case MEASURE -> runMeasure(r);
                case COMMAND -> runCommand(r);
            }
            r.seconds = (System.currentTimeMillis() - p0) / 1000.0;
            say(String.format(Locale.ROOT, "       %s in %.1f s%s", r.status, r.seconds,
                    r.note == null ? "" : ": " + r.note));
            if (part.kind() == Part.Kind.PROBE) {
                deviceUsable = probe != null && Boolean.TRUE.equals(probe.get("usable"));
                if (!deviceUsable) {
                    say("gpu-check: the " + options.device() + " device is not usable: " + (probe == null
                            ? r.note : probe.get("reason")));
                }
            }
        }
        double seconds = (System.currentTimeMillis() - t0) / 1000.0;
        // A failed check fails the run, a kernel over its time budget (the speed part's check) included.
        int exit = !deviceUsable ? 2 : results.stream().anyMatch(r -> r.failed() > 0 || (r.part.kind()
                == Part.Kind.CHECKS && !r.status.equals("done"))) ? 1 : 0;
        GpuCheckReport report = new GpuCheckReport(options, probe, results, seconds, exit);
        List<Path> files = report.write();
        for (String line : report.summary().split("\n")) {
            say(line);
        }
        say("wrote " + String.join(", ", files.stream().map(f -> f.getFileName().toString()).toList()) + " to "
                + options.out().toAbsolutePath());
        return exit;
    }

    private boolean hasCheckpoints() {
        Path checkpoints = work.resolve("run").resolve("checkpoints");
        if (!Files.isDirectory(checkpoints)) {
            return false;
        }
        try (Stream<Path> s = Files.list(checkpoints)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith("checkpoint_epoch_"));
        } catch (IOException e) {
            return false;
        }
    }

    // ---- parts ---------------------------------------------------------------------------------------------------

    private void runProbe(PartResult r) {
        Child c = part(r, null, false);
        for (JsonObject o : c.records) {
            if (o.get("type").getAsString().equals("probe")) {
                probe = toMap(o);
            }
        }
        if (probe == null) {
            r.status = "failed";
            r.note = c.failure();
            return;
        }
        r.status = "done";
        r.data = probe;
    }

    private void runMeasure(PartResult r) {
        Child c = part(r, null, false);
        for (JsonObject o : c.records) {
            if (o.get("type").getAsString().equals("measure")) {
                r.data = toMap(o);
            }
        }
        r.status = r.data != null ? "done" : "failed";
        if (r.data == null) {
            r.note = c.failure();
            return;
        }
        if (r.part.name().equals("speed")) {
            Map<String, Object> budgets = GpuCheckReport.budgetCheck(r.data, options.device(), options.quick());
            if (budgets == null) {
                r.note = "time budgets not checked: they are for the paper config on a GPU";
            } else {
                r.checks.add(budgets);
                if (!Boolean.TRUE.equals(budgets.get("pass"))) {
                    r.status = "failed";
                    r.note = "OVER BUDGET: " + budgets.get("message");
                    say("       FAIL  " + GpuCheckReport.BUDGET_CHECK + "\n          " + budgets.get("message"));
                } else {
                    say("       PASS  " + GpuCheckReport.BUDGET_CHECK + (budgets.get("message") == null ? ""
                            : "\n          " + budgets.get("message")));
                }
            }
        }
    }

    private void runChecks(PartResult r) {
        List<DeviceCheck> checks = r.part.checks(options.quick());
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            pending.add(i);
        }
        say(String.format(Locale.ROOT, "       %d checks", checks.size()));
        Map<Integer, Map<String, Object>> done = new LinkedHashMap<>();
        Integer poisoner = null;
        String notRunBecause = "not run: the part's time cap of " + r.cap + " s was reached";
        long partEnd = System.currentTimeMillis() + 1000L * r.cap;
        while (!pending.isEmpty()) {
            int left = (int) ((partEnd - System.currentTimeMillis()) / 1000);
            if (left < 3) {
                break;
            }
            Child c = part(r, pending, false, left);
            Integer running = null;
            Integer lastFailed = null;
            for (JsonObject o : c.records) {
                int i = o.get("index").getAsInt();
                if (o.get("type").getAsString().equals("start")) {
                    running = i;
                } else {
                    Map<String, Object> check = toMap(o);
                    done.put(i, check);
                    pending.remove(Integer.valueOf(i));
                    running = null;
                    if (!Boolean.TRUE.equals(check.get("pass"))) {
                        lastFailed = i;
                    }
                }
            }
            if (c.exit == PartProcess.EXIT_CONTEXT_UNUSABLE && poisoner == null) {
                poisoner = lastFailed;
            }
            if (c.exit == 0 && pending.isEmpty()) {
                break;
            }
            if (running != null) {
                Map<String, Object> failed = new LinkedHashMap<>();
                failed.put("type", "check");
                failed.put("index", running);
                failed.put("name", checks.get(running).name());
                failed.put("pass", false);
                failed.put("message", c.failure());
                done.put(running, failed);
                pending.remove(running);
                // The process could not print its own FAIL line: print it here, as it happens.
                say(String.format(Locale.ROOT, "    FAIL  %s%n          %s", checks.get(running).name(),
                        c.failure()));
                if (c.timedOut) {
                    break;  // the part's time is spent
                }
            } else if (c.exit != PartProcess.EXIT_CONTEXT_UNUSABLE) {
                notRunBecause = "not run: " + c.failure();
                break;  // the process ended between checks without saying why: do not loop
            }
            if (!pending.isEmpty()) {
                say("       continuing in a fresh process with the " + pending.size() + " remaining check(s)");
            }
        }
        for (int i : pending) {
            Map<String, Object> notRun = new LinkedHashMap<>();
            notRun.put("type", "check");
            notRun.put("index", i);
            notRun.put("name", checks.get(i).name());
            notRun.put("pass", false);
            notRun.put("message", notRunBecause);
            done.put(i, notRun);
        }
        if (poisoner != null) {
            nameTheFaultingKernel(r, done.get(poisoner), poisoner, partEnd);
        }
        for (int i = 0; i < checks.size(); i++) {
            if (done.containsKey(i)) {
                r.checks.add(done.get(i));
            }
        }
        long failed = r.failed();
        r.status = failed == 0 ? "done" : "failed";
        r.note = (checks.size() - failed) + " of " + checks.size() + " passed";
    }

    /** Runs a check that left the context unusable once more, alone, synchronising after every launch. */
    private void nameTheFaultingKernel(PartResult r, Map<String, Object> check, int index, long partEnd) {
        int left = (int) ((Math.min(partEnd + 15_000, deadline) - System.currentTimeMillis()) / 1000);
        if (left < 5) {
            check.put("sync_rerun", "not run: no time left");
            return;
        }
        say("       rerunning \"" + check.get("name") + "\" alone with " + Devices.SYNC_VARIABLE + "=1 to name the "
                + "faulting kernel");
        Child c = part(r, List.of(index), true, left);
        for (JsonObject o : c.records) {
            if (o.get("type").getAsString().equals("check")) {
                Object message = toMap(o).get("message");
                check.put("sync_rerun", message == null ? "passed when synchronising after every launch" : message);
                return;
            }
        }
        check.put("sync_rerun", c.failure());
    }

    private void runCommand(PartResult r) {
        Path run = work.resolve("run");
        List<String> args = new ArrayList<>();
        if (r.part.name().equals("train")) {
            args.addAll(List.of("train", "--device", options.device(), "--out", run.toString(), "--quiet"));
            if (options.quick()) {
                args.addAll(List.of("--p", "23", "--d_model", "32", "--n_heads", "4", "--d_mlp", "48", "--n_epochs",
                        "150", "--checkpoint_every", "50"));
            }
        } else {
            args.addAll(List.of("analyze", run.toString(), "--device", options.device()));
        }
        long t0 = System.nanoTime();
        Child c = start(r, "io.jgrok.cli.Main", args, false, r.cap, false);
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("command", "jgrok " + String.join(" ", args));
        data.put("exit", c.exit);
        data.put("wall_seconds", wall);
        data.put("stopped_at_cap", c.timedOut);
        if (r.part.name().equals("train")) {
            Map<String, Object> info = readJson(run.resolve("logs").resolve("run_info.json"));
            data.put("run_info", info);
            data.put("checkpoints", countCheckpoints(run));
            if (info != null && info.get("epochs_done") instanceof Number done && done.longValue() > 0
                    && info.get("n_epochs") instanceof Number all && done.longValue() < all.longValue()) {
                // Stopped at its cap: what the whole run would take at the same pace.
                data.put("projected_wall_seconds", wall * all.doubleValue() / done.doubleValue());
            }
            r.status = c.exit == 0 ? "done" : c.timedOut ? "stopped at its cap" : "failed";
            if (info != null) {
                r.note = String.format(Locale.ROOT, "%s of %s epochs, %d checkpoints, %.1f s wall (%.0f epochs/s "
                        + "in the run)", info.get("epochs_done"), info.get("n_epochs"), countCheckpoints(run), wall,
                        ((Number) info.get("epochs_per_second")).doubleValue());
            } else {
                r.note = c.failure();
            }
        } else {
            Map<String, Object> summary = readJson(run.resolve("analysis").resolve("summary.json"));
            if (summary != null) {
                data.put("checkpoints", summary.get("n_checkpoints"));
                data.put("backend", summary.get("backend"));
            }
            r.status = c.exit == 0 && summary != null ? "done" : c.timedOut ? "stopped at its cap" : "failed";
            r.note = summary != null ? String.format(Locale.ROOT, "%s checkpoints in %.1f s wall (%s)",
                    summary.get("n_checkpoints"), wall, transforms(String.valueOf(summary.get("backend"))))
                    : c.failure();
        }
        r.data = data;
    }

    /** The transform route from an analysis backend's description ("transforms: cuFFT ..."), or the description. */
    static String transforms(String backend) {
        int at = backend.indexOf("transforms: ");
        if (at < 0) {
            return backend;
        }
        int end = backend.indexOf(';', at);
        return backend.substring(at, end < 0 ? backend.length() : end);
    }

    private static int countCheckpoints(Path run) {
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            return (int) s.filter(p -> p.getFileName().toString().startsWith("checkpoint_epoch_")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readJson(Path file) {
        try {
            return READER.fromJson(Files.readString(file), Map.class);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ---- child processes -----------------------------------------------------------------------------------------

    /** A finished child: its exit status, its result records, the end of its output. */
    private static final class Child {
        int exit;
        boolean timedOut;
        double seconds;
        final List<JsonObject> records = new ArrayList<>();
        final List<String> tail = new ArrayList<>();

        /** Why it ended without results, in one line (with what it printed last, other checks' verdicts left out). */
        String failure() {
            List<String> own = tail.stream().filter(l -> !l.startsWith("PASS ") && !l.startsWith("FAIL ")).toList();
            String last = own.isEmpty() ? "" : ": " + String.join(" | ", own.subList(Math.max(0, own.size() - 3),
                    own.size()));
            if (timedOut) {
                return String.format(Locale.ROOT, "stopped after %.0f s, its time cap%s", seconds, last);
            }
            return "the process ended with exit status " + exit + last;
        }
    }

    private Child part(PartResult r, List<Integer> indexes, boolean sync) {
        return part(r, indexes, sync, r.cap);
    }

    private Child part(PartResult r, List<Integer> indexes, boolean sync, int cap) {
        Path results = work.resolve("results-" + r.part.name() + "-" + System.nanoTime() + ".jsonl");
        List<String> args = new ArrayList<>(List.of(r.part.name(), results.toString(), options.device(),
                Boolean.toString(options.quick()), work.toString(),
                Long.toString(System.currentTimeMillis() + 1000L * cap)));
        if (indexes != null) {
            args.add(String.join(",", indexes.stream().map(String::valueOf).toList()));
        }
        Child c = start(r, PartProcess.class.getName(), args, sync, cap, true);
        if (Files.exists(results)) {
            try {
                for (String line : Files.readAllLines(results, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        try {
                            c.records.add(JsonParser.parseString(line).getAsJsonObject());
                        } catch (RuntimeException partial) {
                            // a line cut short by a crash
                        }
                    }
                }
                Files.delete(results);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return c;
    }

    /** Starts a JVM like this one on {@code mainClass}, forwards its output, stops it at the cap. */
    private Child start(PartResult r, String mainClass, List<String> args, boolean sync, int cap, boolean console) {
        List<String> command = javaCommand(mainClass, args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("JGROK_STDERR_IS_TERMINAL", "0");
        pb.environment().putIfAbsent("OPENBLAS_NUM_THREADS", "1");
        if (sync) {
            pb.environment().put(Devices.SYNC_VARIABLE, "1");
        }
        log.println("       $ " + String.join(" ", command));
        Child c = new Child();
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            c.exit = -1;
            c.tail.add("cannot start " + command.get(0) + ": " + e.getMessage());
            return c;
        }
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // nothing is written to a child
        }
        Thread reader = new Thread(() -> forward(p, c, console), "gpu-check-" + r.part.name());
        reader.start();
        try {
            if (!p.waitFor(Math.max(1, cap - GRACE_SECONDS), TimeUnit.SECONDS)) {
                c.timedOut = true;
                p.destroy();  // SIGTERM: a train run writes a checkpoint and its run_info.json
                if (!p.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor();
                }
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        c.exit = p.exitValue();
        c.seconds = (System.nanoTime() - t0) / 1e9;
        return c;
    }

    private void forward(Process p, Child c, boolean console) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("WARNING: Using incubator modules")) {
                    continue;
                }
                synchronized (c.tail) {
                    c.tail.add(line.strip());
                    if (c.tail.size() > 20) {
                        c.tail.remove(0);
                    }
                }
                if (console) {
                    say(line);
                } else {
                    log.println("       | " + line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The command line of a JVM like this one (runtime, heap, modules, classpath) running {@code mainClass}. */
    List<String> javaCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + Math.max(512, Runtime.getRuntime().maxMemory() >> 20) + "m");
        cmd.add("-XX:+UseParallelGC");
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // The child's output is a pipe that forward() reads as UTF-8, whatever the locale (none under env -i, where
        // the JVM would write "?" for every non-ASCII character). Java 17 reads sun.*, Java 19 and later these.
        for (String stream : new String[] {"stdout", "stderr"}) {
            cmd.add("-Dsun." + stream + ".encoding=UTF-8");
            cmd.add("-D" + stream + ".encoding=UTF-8");
        }
        for (String property : new String[] {"jgrok.project.dir", "jgrok.emulator.dir", Part.EXTRA_PROPERTY}) {
            String value = System.getProperty(property);
            if (value != null) {
                cmd.add("-D" + property + "=" + value);
            }
        }
        String cufft = options.cufft() != null ? options.cufft() : System.getProperty(Cufft.PATH_PROPERTY);
        if (cufft != null) {
            cmd.add("-D" + Cufft.PATH_PROPERTY + "=" + cufft);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    private void say(String line) {
        synchronized (log) {
            options.console().println(line);
            log.println(line);
        }
    }

    private static Map<String, Object> toMap(JsonObject o) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = READER.fromJson(o, LinkedHashMap.class);
        return m;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
