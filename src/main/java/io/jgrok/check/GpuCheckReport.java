package io.jgrok.check;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.jgrok.io.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files {@code jgrok gpu-check} writes: gpu-check.json (every number, machine-readable), gpu-check.txt (a
 * one-screen summary), profile.txt (the per-kernel table against src/main/cuda/README.md's FLOP and byte counts and
 * the device's peaks) and gpu-check.log (written as the run goes, by {@link GpuCheck}). Four files, written
 * atomically except the log.
 */
final class GpuCheckReport {
    static final String JSON = "gpu-check.json";
    static final String TEXT = "gpu-check.txt";
    static final String PROFILE = "profile.txt";
    static final String LOG = "gpu-check.log";
    /** The training engine's target at the paper's config (test loss every epoch) on an H100. */
    static final double TARGET_EPOCHS_PER_SECOND = 4000;

    /** Nulls are written: a number this run could not measure is there as null, its reason in not_measured. */
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

    /**
     * The numbers gpu-check promises, in summary: every one is always there, null where this run could not measure
     * it (the emulated device has no driver, a part did not run, ...), with the reason under the same key in
     * summary.not_measured.
     */
    static final List<String> SUMMARY_NUMBERS = List.of("driver_release", "driver_cuda_version", "gpu_name",
            "compute_capability", "memory_gib", "peak_fp32_gflops", "peak_dram_gbps", "kernel_image", "cufft_found",
            "cufft_file", "checks_passed", "checks_failed", "epochs_per_second", "epochs_timed", "profile_epoch_us",
            "train_wall_seconds", "train_checkpoints", "sweep_model_epochs_per_second", "analysis_wall_seconds",
            "analysis_checkpoints");
    /** The numbers of each kernel_table row that come from the README's counts and the device's peaks. */
    static final List<String> KERNEL_ROW_NUMBERS = List.of("mflop", "mb", "floor_us", "gflops", "gbps",
            "fraction_of_fp32_peak", "fraction_of_dram_peak", "times_floor");

    private final GpuCheck.Options options;
    private final Map<String, Object> probe;
    private final List<GpuCheck.PartResult> parts;
    private final double seconds;
    private final int exit;

    GpuCheckReport(GpuCheck.Options options, Map<String, Object> probe, List<GpuCheck.PartResult> parts,
                   double seconds, int exit) {
        this.options = options;
        this.probe = probe;
        this.parts = parts;
        this.seconds = seconds;
        this.exit = exit;
    }

    List<Path> write() {
        Path out = options.out();
        try {
            AtomicFiles.writeString(out.resolve(JSON), GSON.toJson(json()) + "\n");
            AtomicFiles.writeString(out.resolve(TEXT), summary());
            String profile = profileText();
            if (profile != null) {
                AtomicFiles.writeString(out.resolve(PROFILE), profile);
            }
            return profile == null ? List.of(out.resolve(JSON), out.resolve(TEXT), out.resolve(LOG))
                    : List.of(out.resolve(JSON), out.resolve(TEXT), out.resolve(PROFILE), out.resolve(LOG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + out, e);
        }
    }

    private String result() {
        return switch (exit) {
            case 0 -> "PASS";
            case 2 -> "DEVICE NOT USABLE";
            default -> "FAIL";
        };
    }

    private Map<String, Object> json() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("format", "jgrok-gpu-check-1");
        j.put("jgrok_version", Probe.version());
        j.put("date", Instant.now().toString());
        j.put("device", options.device());
        j.put("quick", options.quick());
        j.put("budget_seconds", options.budget());
        j.put("seconds", seconds);
        j.put("result", result());
        j.put("exit", exit);
        j.put("summary", headline());
        j.put("probe", probe);
        List<Map<String, Object>> ps = new ArrayList<>();
        for (GpuCheck.PartResult r : parts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.part.name());
            m.put("title", r.part.title());
            m.put("status", r.status);
            m.put("note", r.note);
            m.put("seconds", r.seconds);
            m.put("cap_seconds", r.cap);
            if (!r.checks.isEmpty()) {
                m.put("checks", r.checks);
            }
            if (r.data != null && r.part.kind() != Part.Kind.PROBE) {
                m.put("data", r.data);
            }
            ps.add(m);
        }
        j.put("parts", ps);
        List<Map<String, Object>> table = kernelTable();
        if (table != null) {
            j.put("kernel_table", table);
        }
        return j;
    }

    /** The numbers a reader looks for first: every one of {@link #SUMMARY_NUMBERS}, null with a reason if need be. */
    private Map<String, Object> headline() {
        Map<String, Object> h = new LinkedHashMap<>();
        Map<String, String> why = new LinkedHashMap<>();
        probeNumbers(h, why);
        long passed = 0;
        long failed = 0;
        for (GpuCheck.PartResult r : parts) {
            failed += r.failed();
            passed += r.checks.size() - r.failed();
        }
        h.put("checks_passed", passed);
        h.put("checks_failed", failed);
        Map<String, Object> speed = data("speed");
        String speedWhy = notMeasured("speed");
        put(h, why, "epochs_per_second", speed == null ? null : speed.get("epochs_per_second"), speedWhy);
        put(h, why, "epochs_timed", speed == null ? null : speed.get("epochs"), speedWhy);
        h.put("target_epochs_per_second", TARGET_EPOCHS_PER_SECOND);
        put(h, why, "profile_epoch_us", speed == null ? null : speed.get("profile_epoch_us"), speedWhy);
        if (speed != null) {
            h.put("candidates", speed.get("candidates"));
            h.put("candidates_epochs_per_second", speed.get("candidates_epochs_per_second"));
        }
        Map<String, Object> train = data("train");
        String trainWhy = notMeasured("train");
        put(h, why, "train_wall_seconds", train == null ? null : train.get("wall_seconds"), trainWhy);
        put(h, why, "train_checkpoints", train == null ? null : train.get("checkpoints"), trainWhy);
        if (train != null) {
            h.put("train_stopped_at_cap", train.get("stopped_at_cap"));
        }
        Map<String, Object> sweep = data("sweep");
        Map<String, Object> rates = null;
        if (sweep != null && sweep.get("widths") instanceof List<?> widths) {
            rates = new LinkedHashMap<>();
            for (Object o : widths) {
                Map<?, ?> w = (Map<?, ?>) o;
                rates.put(String.valueOf(((Number) w.get("models")).intValue()), w.get("model_epochs_per_second"));
            }
        }
        put(h, why, "sweep_model_epochs_per_second", rates, notMeasured("sweep"));
        Map<String, Object> analyze = data("analyze");
        String analyzeWhy = notMeasured("analyze");
        put(h, why, "analysis_wall_seconds", analyze == null ? null : analyze.get("wall_seconds"), analyzeWhy);
        put(h, why, "analysis_checkpoints", analyze == null ? null : analyze.get("checkpoints"), analyzeWhy);
        h.put("not_measured", why);
        return h;
    }

    /** The machine's numbers from the probe, flattened into the summary. */
    @SuppressWarnings("unchecked")
    private void probeNumbers(Map<String, Object> h, Map<String, String> why) {
        Map<String, Object> gpu = gpu();
        Map<String, Object> kernels = probe == null ? null : (Map<String, Object>) probe.get("kernels");
        String noGpu;
        if (probe == null) {
            noGpu = notMeasured("probe");
        } else if (!Boolean.TRUE.equals(probe.get("usable"))) {
            noGpu = "the " + options.device() + " device is not usable: " + probe.get("reason");
        } else if (!options.device().equals("cuda")) {
            noGpu = "the " + options.device() + " device has no NVIDIA driver or GPU to measure";
        } else {
            noGpu = "the probe did not report it";
        }
        String release = probe == null ? null : (String) probe.get("driver_release");
        put(h, why, "driver_release", release, probe != null && options.device().equals("cuda")
                && Boolean.TRUE.equals(probe.get("usable")) ? "/proc/driver/nvidia/version could not be read" : noGpu);
        put(h, why, "driver_cuda_version", probe == null ? null : probe.get("driver_cuda_version"), noGpu);
        put(h, why, "gpu_name", gpu == null ? null : gpu.get("name"), noGpu);
        put(h, why, "compute_capability", gpu == null ? null : gpu.get("compute_capability"), noGpu);
        put(h, why, "memory_gib", gpu == null ? null : gpu.get("memory_gib"), noGpu);
        put(h, why, "peak_fp32_gflops", gpu == null ? null : gpu.get("peak_fp32_gflops"), noGpu);
        put(h, why, "peak_dram_gbps", gpu == null ? null : gpu.get("peak_dram_gbps"), noGpu);
        put(h, why, "kernel_image", kernels == null ? null : kernels.get("image"), noGpu);
        Map<String, Object> cufft = probe == null ? null : (Map<String, Object>) probe.get("cufft");
        put(h, why, "cufft_found", cufft == null ? null : cufft.get("found"), notMeasured("probe"));
        put(h, why, "cufft_file", cufft == null ? null : cufft.get("file"), cufft == null ? notMeasured("probe")
                : String.valueOf(cufft.get("reason")));
    }

    private static void put(Map<String, Object> h, Map<String, String> why, String key, Object value,
                            String reason) {
        h.put(key, value);
        if (value == null) {
            why.put(key, reason);
        }
    }

    /** Why a part's numbers are missing: it was not asked for, not run, or failed (with its note). */
    private String notMeasured(String part) {
        for (GpuCheck.PartResult r : parts) {
            if (r.part.name().equals(part)) {
                return "the " + part + " part " + (r.status.equals("done") ? "did not report it" : r.status)
                        + (r.note == null ? "" : ": " + r.note);
            }
        }
        return "the " + part + " part was not run (--only)";
    }

    private Map<String, Object> data(String part) {
        for (GpuCheck.PartResult r : parts) {
            if (r.part.name().equals(part)) {
                return r.data;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> gpu() {
        return probe == null ? null : (Map<String, Object>) probe.get("gpu");
    }

    private double peak(String key) {
        Map<String, Object> g = gpu();
        Object v = g == null ? null : g.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** One screen: the machine, each part's verdict, the measured numbers. */
    String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "jgrok gpu-check (%s), %s, device %s, %s run: %s in %.0f s%n",
                Probe.version(), Instant.now().toString().substring(0, 19).replace('T', ' '), options.device(),
                options.quick() ? "quick" : "full", result(), seconds));
        if (probe != null) {
            for (String line : Probe.lines(probe)) {
                sb.append("  ").append(line).append('\n');
            }
        }
        sb.append('\n');
        for (GpuCheck.PartResult r : parts) {
            sb.append(String.format(Locale.ROOT, "%-9s %-10s %6.1f s  %s%n", r.part.name(), r.status, r.seconds,
                    r.note == null ? "" : r.note));
            if (!r.checks.isEmpty()) {
                Map<String, Object> worst = null;
                double worstRatio = -1;
                for (Map<String, Object> c : r.checks) {
                    if (!Boolean.TRUE.equals(c.get("pass"))) {
                        sb.append("          FAIL ").append(c.get("name")).append(": ").append(c.get("message"))
                                .append('\n');
                        if (c.get("sync_rerun") != null) {
                            sb.append("               with JGROK_DEVICE_SYNC=1: ").append(c.get("sync_rerun"))
                                    .append('\n');
                        }
                        continue;
                    }
                    double bound = number(c.get("worst_bound"));
                    double ratio = bound > 0 ? number(c.get("worst_error")) / bound : 0;
                    if (ratio > worstRatio) {
                        worstRatio = ratio;
                        worst = c;
                    }
                }
                if (worst != null && number(worst.get("worst_bound")) > 0) {
                    sb.append(String.format(Locale.ROOT, "          worst: %.2g of bound %.0e (%s; %s)%n",
                            number(worst.get("worst_error")), number(worst.get("worst_bound")), worst.get("name"),
                            worst.get("worst_what")));
                }
            }
        }
        sb.append('\n');
        Map<String, Object> speed = data("speed");
        if (speed != null) {
            double rate = number(speed.get("epochs_per_second"));
            sb.append(String.format(Locale.ROOT, "speed     %s config, %.0f epochs, test loss every epoch: %.0f "
                    + "epochs/s (%.1f us/epoch; kernels %.1f us)%s%n", speed.get("config"),
                    number(speed.get("epochs")), rate, 1e6 / rate, number(speed.get("profile_epoch_us")),
                    options.quick() ? "" : String.format(Locale.ROOT, "; target %.0f: %s", TARGET_EPOCHS_PER_SECOND,
                            rate >= TARGET_EPOCHS_PER_SECOND ? "met" : "NOT met")));
            if (speed.get("candidates") != null) {
                sb.append(String.format(Locale.ROOT, "          with %s: %.0f epochs/s (kernels %.1f us)%n",
                        speed.get("candidates"), number(speed.get("candidates_epochs_per_second")),
                        number(speed.get("candidates_profile_epoch_us"))));
            }
        }
        Map<String, Object> sweep = data("sweep");
        if (sweep != null) {
            sb.append("sweep    ");
            for (Object o : (List<?>) sweep.get("widths")) {
                Map<?, ?> w = (Map<?, ?>) o;
                sb.append(w.get("skipped") != null ? String.format(Locale.ROOT, " N=%d skipped;",
                        ((Number) w.get("models")).intValue()) : String.format(Locale.ROOT,
                        " N=%d: %.0f model-epochs/s;", ((Number) w.get("models")).intValue(),
                        number(w.get("model_epochs_per_second"))));
            }
            sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
        Map<String, Object> train = data("train");
        if (train != null && train.get("projected_wall_seconds") instanceof Number projected) {
            sb.append(String.format(Locale.ROOT, "train     stopped at its cap; the whole run would take about "
                    + "%.0f s%n", projected.doubleValue()));
        }
        return sb.toString();
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * Each README row of the per-epoch cost table with its measured time: achieved GFLOP/s and GB/s, their fractions
     * of the device's FP32 and DRAM peaks, the time against the floor (and against the budget, where the README gives
     * one). Null without a profile; launches of a config other than the paper's get times only (the README's counts
     * are for the paper's config).
     */
    List<Map<String, Object>> kernelTable() {
        Map<String, Object> speed = data("speed");
        if (speed == null || speed.get("profile") == null) {
            return null;
        }
        return kernelTable(speed, peak("peak_fp32_gflops"), peak("peak_dram_gbps"));
    }

    /**
     * The kernel table of a speed part's data: one row per README row from the profile of the shipped kernel
     * versions, then one row per other version from the candidates' profile ("backward_query [warp]": the same
     * work, so the same FLOP, bytes, floor and budget as the row it would replace).
     */
    static List<Map<String, Object>> kernelTable(Map<String, Object> speed, double fp32, double dram) {
        boolean paper = "paper".equals(speed.get("config"));
        KernelCosts costs = paper ? KernelCosts.load() : null;
        Map<String, double[]> byRow = new LinkedHashMap<>();  // row -> {launches, µs}
        Map<String, String[]> versions = new LinkedHashMap<>();  // version row -> {README row, version}
        for (String key : new String[] {"profile", "candidates_profile"}) {
            if (!(speed.get(key) instanceof List<?> profile)) {
                continue;
            }
            for (Object o : profile) {
                Map<?, ?> l = (Map<?, ?>) o;
                String label = String.valueOf(l.get("label"));
                String version = KernelCosts.versionOf(label);
                if (key.equals("candidates_profile") && version == null) {
                    continue;  // a shipped version, timed again: the first profile has it
                }
                String row = KernelCosts.rowOf(label);
                String name = row == null ? label : version == null ? row : row + " [" + version + "]";
                if (version != null && row != null) {
                    versions.put(name, new String[] {row, version});
                }
                double[] acc = byRow.computeIfAbsent(name, k -> new double[2]);
                acc[0] += number(l.get("launches_per_epoch"));
                acc[1] += number(l.get("us_per_epoch"));
            }
        }
        List<Map<String, Object>> table = new ArrayList<>();
        for (Map.Entry<String, double[]> e : byRow.entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kernel", e.getKey());
            String[] version = versions.get(e.getKey());
            String readmeRow = version == null ? e.getKey() : version[0];
            if (version != null) {
                m.put("version", version[1]);
                m.put("instead_of", readmeRow);
            }
            m.put("launches_per_epoch", e.getValue()[0]);
            double us = e.getValue()[1];
            m.put("us_per_epoch", us);
            KernelCosts.Row cost = costs == null ? null : costs.rows().stream().filter(r -> r.name().equals(
                    readmeRow)).findFirst().orElse(null);
            for (String key : KERNEL_ROW_NUMBERS) {
                m.put(key, null);
            }
            if (cost == null) {
                m.put("not_measured", paper ? "no row of src/main/cuda/README.md's cost table for this launch"
                        : "src/main/cuda/README.md's FLOP and byte counts are for the paper's config; this run "
                        + "measured " + speed.get("config") + ", so times only");
            } else {
                m.put("mflop", cost.mflop());
                m.put("mb", cost.megabytes());
                m.put("floor_us", cost.floorMicros());
                double gflops = 1000 * cost.mflop() / us;
                double gbps = 1000 * cost.megabytes() / us;
                m.put("gflops", gflops);
                m.put("gbps", gbps);
                if (fp32 > 0 && dram > 0) {
                    m.put("fraction_of_fp32_peak", gflops / fp32);
                    m.put("fraction_of_dram_peak", gbps / dram);
                } else {
                    m.put("not_measured", "fractions of the peaks: no GPU peaks (the probe measured no GPU)");
                }
                m.put("times_floor", us / cost.floorMicros());
                if (!Double.isNaN(cost.budgetMicros())) {
                    m.put("budget_us", cost.budgetMicros());
                    m.put("within_budget", us <= cost.budgetMicros());
                }
            }
            table.add(m);
        }
        return table;
    }

    /** The name of the speed part's check that compares every kernel's time with its README budget. */
    static final String BUDGET_CHECK = "every shipped kernel within its time budget (src/main/cuda/README.md)";

    /**
     * The speed part's budget check, as a check record (like a DeviceCheck's): FAIL when a shipped kernel (a row of
     * the profile of the default versions) took longer per epoch than its "budget µs" in src/main/cuda/README.md's
     * cost table, naming each; other versions over their budget are named too but do not fail (they are candidates,
     * not shipped). Null where budgets do not apply: a --quick run (not the paper config) or the emulated device
     * (host times).
     */
    static Map<String, Object> budgetCheck(Map<String, Object> speed, String device, boolean quick) {
        if (quick || !device.equals("cuda") || speed == null || !"paper".equals(speed.get("config"))
                || speed.get("profile") == null) {
            return null;
        }
        List<String> over = new ArrayList<>();
        List<String> candidatesOver = new ArrayList<>();
        int compared = 0;
        double worst = 0;
        String worstWhat = "";
        for (Map<String, Object> m : kernelTable(speed, Double.NaN, Double.NaN)) {
            if (!m.containsKey("budget_us")) {
                continue;
            }
            compared++;
            double us = number(m.get("us_per_epoch"));
            double budget = number(m.get("budget_us"));
            String line = String.format(Locale.ROOT, "%s %.1f us > %.1f us", m.get("kernel"), us, budget);
            if (us > budget) {
                (m.containsKey("version") ? candidatesOver : over).add(line);
            }
            if (!m.containsKey("version") && us / budget > worst) {
                worst = us / budget;
                worstWhat = String.format(Locale.ROOT, "%s: %.1f of %.1f us", m.get("kernel"), us, budget);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "check");
        r.put("name", BUDGET_CHECK);
        r.put("pass", over.isEmpty() && compared > 0);
        r.put("seconds", 0.0);
        r.put("comparisons", compared);
        r.put("worst_error", worst);
        r.put("worst_bound", 1.0);
        r.put("worst_what", worstWhat + " (time / budget)");
        r.put("paper_sized", true);
        if (compared == 0) {
            r.put("message", "no row of the profile has a budget: the README's cost table lacks its \"budget µs\" "
                    + "column");
        } else if (!over.isEmpty() || !candidatesOver.isEmpty()) {
            r.put("message", (over.isEmpty() ? "" : over.size() + " kernel(s) OVER budget: " + String.join("; ", over))
                    + (candidatesOver.isEmpty() ? "" : (over.isEmpty() ? "" : "; ") + "candidate versions over the "
                    + "budget (not failing): " + String.join("; ", candidatesOver)));
        }
        return r;
    }

    /** profile.txt: the kernel table, then the engine's own --profile table by launch label. */
    private String profileText() {
        List<Map<String, Object>> table = kernelTable();
        if (table == null) {
            return null;
        }
        Map<String, Object> speed = data("speed");
        StringBuilder sb = new StringBuilder();
        boolean paper = "paper".equals(speed.get("config"));
        sb.append(String.format(Locale.ROOT, "Per-kernel time of a replayed epoch (%s config, mean over %.0f epochs) "
                + "on %s%n", speed.get("config"), number(speed.get("profile_epochs")), speed.get("device")));
        if (paper) {
            sb.append(String.format(Locale.ROOT, "FLOP and bytes: src/main/cuda/README.md (\"Cost per epoch at the "
                    + "paper's config\"); peaks: %.1f TFLOP/s FP32, %.0f GB/s DRAM (%s)%n",
                    peak("peak_fp32_gflops") / 1000, peak("peak_dram_gbps"), gpu() == null ? "no GPU"
                    : gpu().get("peaks_from")));
        } else {
            sb.append("FLOP and bytes: src/main/cuda/README.md's counts are for the paper's config; this run measured "
                    + "another, so times only\n");
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-42s %5s %9s %6s %8s %7s %8s %8s %6s %6s %8s %7s%n", "kernel",
                "launch", "us/epoch", "share", "MFLOP", "MB", "GFLOP/s", "GB/s", "%FP32", "%DRAM", "floor us",
                "x floor"));
        double total = table.stream().filter(m -> !m.containsKey("version"))
                .mapToDouble(m -> number(m.get("us_per_epoch"))).sum();
        boolean versionsHeader = false;
        for (Map<String, Object> m : table) {
            if (m.containsKey("version") && !versionsHeader) {
                sb.append(String.format(Locale.ROOT, "%-42s %5s %9.1f %5.1f%%%n", "epoch (sum of kernels)", "", total,
                        100.0));
                sb.append(String.format(Locale.ROOT, "%nOther kernel versions (%s; JGROK_KERNELS), each against the "
                        + "row it would replace (share: of the shipped epoch); %.0f epochs/s with them%n",
                        speed.get("candidates"), number(speed.get("candidates_epochs_per_second"))));
                versionsHeader = true;
            }
            double us = number(m.get("us_per_epoch"));
            sb.append(String.format(Locale.ROOT, "%-42s %5.0f %9.1f %5.1f%%", truncate(String.valueOf(m.get("kernel")),
                    42), number(m.get("launches_per_epoch")), us, 100 * us / total));
            if (m.get("mflop") != null) {
                sb.append(String.format(Locale.ROOT, " %8.1f %7.2f %8.0f %8.0f %5.1f%% %5.1f%% %8.2f %7.1f",
                        number(m.get("mflop")), number(m.get("mb")), number(m.get("gflops")), number(m.get("gbps")),
                        100 * number(m.get("fraction_of_fp32_peak")), 100 * number(m.get("fraction_of_dram_peak")),
                        number(m.get("floor_us")), number(m.get("times_floor"))));
                if (m.containsKey("budget_us")) {
                    sb.append(String.format(Locale.ROOT, "  budget %.1f us%s", number(m.get("budget_us")),
                            Boolean.TRUE.equals(m.get("within_budget")) ? "" : "  OVER"));
                }
            }
            sb.append('\n');
        }
        if (!versionsHeader) {
            sb.append(String.format(Locale.ROOT, "%-42s %5s %9.1f %5.1f%%%n", "epoch (sum of kernels)", "", total,
                    100.0));
        }
        if (paper) {
            KernelCosts costs = KernelCosts.load();
            if (costs.total() != null) {
                sb.append(String.format(Locale.ROOT, "README: %s MFLOP, %s MB, floor %s us per epoch%n",
                        costs.total().cells().get("MFLOP"), costs.total().cells().get("MB"),
                        costs.total().cells().get("floor µs")));
            }
        }
        sb.append('\n');
        sb.append("By launch label (the engine's --profile table):\n");
        for (Object o : (List<?>) speed.get("profile")) {
            Map<?, ?> l = (Map<?, ?>) o;
            sb.append(String.format(Locale.ROOT, "  %-56s %5.1f %10.1f us%n", l.get("label"),
                    number(l.get("launches_per_epoch")), number(l.get("us_per_epoch"))));
        }
        if (speed.get("candidates_profile") instanceof List<?> candidates) {
            sb.append(String.format(Locale.ROOT, "%nBy launch label, %s:%n", speed.get("candidates")));
            for (Object o : candidates) {
                Map<?, ?> l = (Map<?, ?>) o;
                sb.append(String.format(Locale.ROOT, "  %-56s %5.1f %10.1f us%n", l.get("label"),
                        number(l.get("launches_per_epoch")), number(l.get("us_per_epoch"))));
            }
        }
        return sb.toString();
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }
}
