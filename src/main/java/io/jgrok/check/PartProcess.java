package io.jgrok.check;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Device;
import io.jgrok.device.Devices;
import io.jgrok.engine.device.EngineSpeed;
import io.jgrok.engine.device.KernelVariants;
import io.jgrok.sweep.DeviceBatchTrainer;
import io.jgrok.sweep.SweepBench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One part of {@code jgrok gpu-check}, in a process of its own (started by {@link GpuCheck}, never by a user):
 * <pre>java ... io.jgrok.check.PartProcess PART RESULTS DEVICE QUICK WORK DEADLINE_MS [INDEXES]</pre>
 * Progress goes to stdout (the parent forwards it); results go to RESULTS as one JSON object per line, each written
 * and flushed as soon as it is known, so that what a part found before it crashed or was stopped survives. For a
 * part of checks, a "start" line precedes each check, so the parent can tell which check was running when the
 * process died. After a check that leaves the CUDA context unusable the process exits with
 * {@link #EXIT_CONTEXT_UNUSABLE}; the parent runs the remaining checks in a fresh process.
 */
public final class PartProcess {
    /** Exit status after a kernel fault that left the CUDA context unusable. */
    public static final int EXIT_CONTEXT_UNUSABLE = 3;

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping()
            .create();

    private final Part part;
    private final Writer results;
    private final String kind;
    private final boolean quick;
    private final Path work;
    private final long deadlineMillis;

    private PartProcess(Part part, Writer results, String kind, boolean quick, Path work, long deadlineMillis) {
        this.part = part;
        this.results = results;
        this.kind = kind;
        this.quick = quick;
        this.work = work;
        this.deadlineMillis = deadlineMillis;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 6) {
            System.err.println("usage: PartProcess PART RESULTS DEVICE QUICK WORK DEADLINE_MS [INDEXES] (started by "
                    + "jgrok gpu-check)");
            System.exit(2);
        }
        Part part = Part.named(args[0]);
        Path resultFile = Path.of(args[1]);
        int status;
        try (Writer w = Files.newBufferedWriter(resultFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            PartProcess p = new PartProcess(part, w, args[2], Boolean.parseBoolean(args[3]), Path.of(args[4]),
                    Long.parseLong(args[5]));
            status = switch (part.kind()) {
                case PROBE -> p.probe();
                case CHECKS -> p.checks(args.length > 6 ? indexes(args[6]) : null);
                case MEASURE -> p.measure();
                case COMMAND -> throw new IllegalArgumentException(part.name() + " runs as a jgrok command");
            };
        }
        System.out.flush();
        System.exit(status);
    }

    private static List<Integer> indexes(String list) {
        List<Integer> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                out.add(Integer.parseInt(s.strip()));
            }
        }
        return out;
    }

    private void write(Map<String, Object> record) throws IOException {
        results.write(GSON.toJson(record));
        results.write('\n');
        results.flush();
    }

    // ---- probe ---------------------------------------------------------------------------------------------------

    private int probe() throws IOException {
        Map<String, Object> r = Probe.collect(kind);
        r.put("type", "probe");
        write(r);
        for (String line : Probe.lines(r)) {
            System.out.println("    " + line);
        }
        return 0;
    }

    // ---- checks --------------------------------------------------------------------------------------------------

    private int checks(List<Integer> selected) throws IOException {
        List<DeviceCheck> checks = part.checks(quick);
        List<Integer> order = selected;
        if (order == null) {
            order = new ArrayList<>();
            for (int i = 0; i < checks.size(); i++) {
                order.add(i);
            }
        }
        Path scratch = Files.createDirectories(work.resolve("scratch-" + part.name() + "-" + ProcessHandle.current()
                .pid()));
        SharedTarget target = new SharedTarget(kind, scratch);
        try {
            for (int index : order) {
                DeviceCheck check = checks.get(index);
                Map<String, Object> start = new LinkedHashMap<>();
                start.put("type", "start");
                start.put("index", index);
                start.put("name", check.name());
                write(start);
                Map<String, Object> r = run(check, target);
                r.put("index", index);
                write(r);
                boolean pass = (Boolean) r.get("pass");
                System.out.println(String.format(Locale.ROOT, "    %s  %-74s %6.1f s%s", pass ? "PASS" : "FAIL",
                        check.name(), (Double) r.get("seconds"), pass ? worst(r) : "\n          " + r.get("message")));
                if (!pass) {
                    if (CudaProbe.unusableReason() != null) {
                        return EXIT_CONTEXT_UNUSABLE;
                    }
                    target.reopen();  // a failed check may leave a capture open or buffers half written
                }
            }
        } finally {
            target.close();
        }
        return 0;
    }

    private static String worst(Map<String, Object> r) {
        double bound = (Double) r.get("worst_bound");
        return bound > 0 ? String.format(Locale.ROOT, "  worst %.2g (bound %.0e)", (Double) r.get("worst_error"),
                bound) : "";
    }

    /** Runs one check; a failed comparison or any exception is a FAIL with its message. */
    static Map<String, Object> run(DeviceCheck check, DeviceCheck.Target target) {
        Verdict v = new Verdict();
        long t0 = System.nanoTime();
        String message = null;
        try {
            check.body().run(target, v);
            if (v.comparisons() == 0) {
                message = "the check compared nothing";
            }
        } catch (Verdict.CheckFailure f) {
            message = f.getMessage();
        } catch (io.jgrok.device.DeviceException | io.jgrok.UserError e) {
            message = e.getMessage();  // already a sentence for a user
        } catch (Exception | Error e) {
            message = e.getClass().getSimpleName() + ": " + e.getMessage()
                    + (e.getCause() != null && e.getCause() != e ? " (" + e.getCause() + ")" : "");
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "check");
        r.put("name", check.name());
        r.put("pass", message == null);
        r.put("seconds", (System.nanoTime() - t0) / 1e9);
        r.put("comparisons", v.comparisons());
        r.put("worst_error", v.worstError());
        r.put("worst_bound", Double.isNaN(v.worstBound()) ? 0.0 : v.worstBound());
        r.put("worst_what", v.worstWhat());
        r.put("paper_sized", check.paperSized());
        if (message != null) {
            r.put("message", message);
        }
        return r;
    }

    /** One device shared by a process's checks, reopened after a failure. */
    static final class SharedTarget implements DeviceCheck.Target, AutoCloseable {
        private final String kind;
        private final Path scratch;
        private Device device;

        SharedTarget(String kind, Path scratch) {
            this.kind = kind;
            this.scratch = scratch;
        }

        @Override
        public Device device() {
            if (device == null) {
                device = Devices.open(kind);
            }
            return device;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public Path scratch() {
            return scratch;
        }

        void reopen() {
            close();
        }

        @Override
        public void close() {
            if (device != null) {
                try {
                    device.close();
                } catch (RuntimeException e) {
                    // closing after a failure: the next check opens a new one
                }
                device = null;
            }
        }
    }

    // ---- measures ------------------------------------------------------------------------------------------------

    /** The config measured: the paper's, or with --quick a small one the emulated device runs in seconds. */
    static RunConfig config(String kind, boolean quick) {
        RunConfig.Builder b = Preset.PAPER.defaults().toBuilder();
        b.device = kind;
        if (quick) {
            b.p = 23;
            b.dModel = 32;
            b.nHeads = 4;
            b.dMlp = 48;
        }
        return b.build();
    }

    private int measure() throws IOException {
        Map<String, Object> r = switch (part.name()) {
            case "speed" -> speed();
            case "sweep" -> sweep();
            default -> throw new IllegalStateException("no measure named " + part.name());
        };
        r.put("type", "measure");
        write(r);
        return 0;
    }

    private Map<String, Object> speed() {
        RunConfig config = config(kind, quick);
        int target = quick ? 40 : 2000;
        int profiledTarget = quick ? 5 : 200;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", quick ? "small (p 23, d_model 32, 4 heads, d_mlp 48)" : "paper");
        try (Device device = Devices.open(kind)) {
            r.put("device", device.description());
            // A short first stretch says how many epochs fit: the full count when the engine is anywhere near its
            // target, fewer (and said so) rather than none when it is far slower and would run past the cap.
            // The shipped kernel versions first (whatever JGROK_KERNELS says: the README's budgets are for them).
            EngineSpeed.Throughput first = EngineSpeed.epochsPerSecond(device, config, quick ? 5 : 100,
                    KernelVariants.DEFAULTS);
            double left = (deadlineMillis - System.currentTimeMillis()) / 1000.0;
            // Two stretches and two profiles (the shipped versions, then the candidates) share what is left.
            int epochs = (int) Math.max(quick ? 5 : 100, Math.min(target, first.epochsPerSecond() * 0.25 * left));
            int profiled = (int) Math.max(2, Math.min(profiledTarget, first.epochsPerSecond() * 0.06 * left));
            r.put("epochs_wanted", target);
            EngineSpeed.Throughput t = EngineSpeed.epochsPerSecond(device, config, epochs, KernelVariants.DEFAULTS);
            r.put("epochs", t.epochs());
            r.put("seconds", t.seconds());
            r.put("epochs_per_second", t.epochsPerSecond());
            r.put("final_train_loss", t.trainLoss());
            r.put("final_test_loss", t.testLoss());
            System.out.println(String.format(Locale.ROOT, "    %d epochs in %.2f s: %.1f epochs/s (test loss every "
                    + "epoch); loss %.4g / %.4g", t.epochs(), t.seconds(), t.epochsPerSecond(), t.trainLoss(),
                    t.testLoss()));
            EngineSpeed.Profile p = EngineSpeed.profile(device, config, profiled, KernelVariants.DEFAULTS);
            r.put("profile_epochs", p.epochs());
            r.put("profile", launches(p));
            r.put("profile_epoch_us", p.epochMicros());
            System.out.println(String.format(Locale.ROOT, "    profile: %d replayed epochs, %d launch labels, "
                    + "%.1f us per epoch in kernels", p.epochs(), p.launches().size(), p.epochMicros()));
            // Every other kernel version (KernelVariants), timed the same way: the measurement that picks the winner.
            KernelVariants candidates = KernelVariants.candidates();
            EngineSpeed.Throughput ct = EngineSpeed.epochsPerSecond(device, config, epochs, candidates);
            EngineSpeed.Profile cp = EngineSpeed.profile(device, config, profiled, candidates);
            r.put("candidates", candidates.describe());
            r.put("candidates_epochs_per_second", ct.epochsPerSecond());
            r.put("candidates_profile", launches(cp));
            r.put("candidates_profile_epoch_us", cp.epochMicros());
            System.out.println(String.format(Locale.ROOT, "    %s: %.1f epochs/s, %.1f us per epoch in kernels",
                    candidates.describe(), ct.epochsPerSecond(), cp.epochMicros()));
        }
        return r;
    }

    private static List<Map<String, Object>> launches(EngineSpeed.Profile p) {
        List<Map<String, Object>> launches = new ArrayList<>();
        for (EngineSpeed.Launch l : p.launches()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", l.label());
            m.put("launches_per_epoch", l.launches());
            m.put("us_per_epoch", l.micros());
            launches.add(m);
        }
        return launches;
    }

    private Map<String, Object> sweep() {
        RunConfig config = config(kind, quick);
        int[] widths = quick ? new int[] {1, 2, 4} : new int[] {1, 8, 64};
        int[] epochs = quick ? new int[] {10, 10, 10} : new int[] {1000, 500, 200};
        int warmup = quick ? 2 : 50;
        List<Map<String, Object>> rows = new ArrayList<>();
        long start = System.currentTimeMillis();
        for (int i = 0; i < widths.length; i++) {
            // Leave the rest when the time spent so far says this width would not finish before the deadline.
            long spent = System.currentTimeMillis() - start;
            if (i > 0 && System.currentTimeMillis() + spent * 2L > deadlineMillis) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("models", widths[i]);
                m.put("skipped", "not enough time left in the part's cap");
                rows.add(m);
                System.out.println("    N = " + widths[i] + ": skipped (not enough time left in the part's cap)");
                continue;
            }
            int n = widths[i];
            PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            SweepBench.Result b = SweepBench.run(config, n, epochs[i], warmup, new DeviceBatchTrainer(kind, n,
                    () -> Devices.open(kind)), sink);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("models", n);
            m.put("epochs_per_model", b.epochs());
            m.put("seconds", b.wallSeconds());
            m.put("model_epochs_per_second", b.modelEpochsPerSecond());
            rows.add(m);
            System.out.println(String.format(Locale.ROOT, "    N = %2d models, %d epochs each: %.2f s, %.1f "
                    + "model-epochs/s", n, b.epochs(), b.wallSeconds(), b.modelEpochsPerSecond()));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", quick ? "small (p 23, d_model 32, 4 heads, d_mlp 48)" : "paper");
        r.put("widths", rows);
        return r;
    }
}
