package io.jgrok.engine.device;

import io.jgrok.config.Preset;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.CudaDevice;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Device;
import io.jgrok.device.DeviceException;
import io.jgrok.device.Devices;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.io.History;
import io.jgrok.model.Initializer;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code make gpu-check} after the CUDA tests: the paper's config on GPU 0 against the CPU engine (logits, loss and
 * gradients at the initial weights; ten epochs of history), then 2,000 epochs for the throughput (epochs/s, with the
 * test loss every epoch, as the paper) and a profiled stretch for the per-kernel table. Exit 0 when everything
 * agrees; 1 when something disagrees; 2, with one line saying why, where there is no usable GPU.
 *
 * <pre>java -cp target/jgrok.jar io.jgrok.engine.device.GpuCheck [--probe] [--epochs N]</pre>
 */
public final class GpuCheck {
    /** Relative agreement asked of logits, loss and gradients (the tests' FLOAT32_REL). */
    private static final double AGREEMENT = 2e-4;
    /** Relative agreement asked of the ten-epoch history (the tests' TRAINING_HISTORY_REL). */
    private static final double HISTORY_AGREEMENT = 1e-5;
    /** The performance target at the paper's config, test loss every epoch, on an H100. */
    private static final double TARGET_EPOCHS_PER_SECOND = 4000;

    private GpuCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        boolean probeOnly = Arrays.asList(args).contains("--probe");
        int epochs = 2000;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--epochs")) {
                epochs = Integer.parseInt(args[i + 1]);
            }
        }
        CudaProbe probe = Devices.probeCuda();
        if (!probe.usable()) {
            out.println("gpu-check: no usable CUDA GPU: " + probe.reason());
            return 2;
        }
        if (probeOnly) {
            out.println("gpu-check: " + probe.reason());
            return 0;
        }
        try (Device device = CudaDevice.open()) {
            return check(device, epochs, out);
        } catch (DeviceException e) {
            out.println("gpu-check: " + e.getMessage());
            return 2;
        }
    }

    private static int check(Device device, int epochs, PrintStream out) {
        RunConfig config = Preset.PAPER.defaults().toBuilder().build();
        Split split = Split.of(config);
        ParamLayout layout = new ParamLayout(config);
        TrainingState start = TrainingState.fresh(Initializer.initialParameters(config));
        out.println("gpu-check on " + device.description());
        boolean ok = true;

        // 1. One forward/backward at the initial weights over the train set.
        float[] devGrad = new float[layout.size()];
        float[] cpuGrad = new float[layout.size()];
        double devLoss;
        double cpuLoss;
        float[] devLogits;
        float[] cpuLogits;
        try (DeviceEngine dev = new DeviceEngine(config, split, device, false, null);
             CpuEngine cpu = new CpuEngine(config, split)) {
            devLoss = dev.lossAndGradient(start.params(), split.train(), devGrad);
            cpuLoss = cpu.lossAndGradient(start.params(), split.train(), cpuGrad);
            devLogits = dev.logits(start.params(), split.test());
            cpuLogits = cpu.logits(start.params(), split.test());
        }
        out.println();
        out.printf(Locale.ROOT, "%-44s %12s %10s%n", "agreement with the CPU engine (paper config)", "rel. error",
                "bound");
        ok &= row(out, "logits (test set)", maxRel(devLogits, cpuLogits), AGREEMENT);
        ok &= row(out, "loss (train set)", Math.abs(devLoss - cpuLoss) / cpuLoss, AGREEMENT);
        for (ParamLayout.Tensor t : layout.tensors()) {
            ok &= row(out, "gradient " + t.name(), maxRel(Arrays.copyOfRange(devGrad, t.offset(), t.end()),
                    Arrays.copyOfRange(cpuGrad, t.offset(), t.end())), AGREEMENT);
        }

        // 2. Ten epochs from the same weights (warmup, first step at lr 0).
        History devHistory = new History();
        History cpuHistory = new History();
        try (DeviceEngine dev = new DeviceEngine(config, split, device, false, null);
             CpuEngine cpu = new CpuEngine(config, split)) {
            dev.setState(start);
            dev.runEpochs(0, 10, devHistory);
            cpu.setState(start);
            cpu.runEpochs(0, 10, cpuHistory);
        }
        double historyErr = 0;
        for (int i = 0; i < 10; i++) {
            historyErr = Math.max(historyErr, Math.abs(devHistory.trainLoss(i) - cpuHistory.trainLoss(i))
                    / cpuHistory.trainLoss(i));
            historyErr = Math.max(historyErr, Math.abs(devHistory.testLoss(i) - cpuHistory.testLoss(i))
                    / cpuHistory.testLoss(i));
        }
        ok &= row(out, "10-epoch history (train and test loss)", historyErr, HISTORY_AGREEMENT);

        // 3. Throughput: the warm-up epoch, then `epochs` replayed epochs, test loss every epoch.
        double seconds;
        History history = new History();
        try (DeviceEngine dev = new DeviceEngine(config, split, device, false, null)) {
            dev.setState(start);
            dev.runEpochs(0, 1, history);
            long t0 = System.nanoTime();
            dev.runEpochs(1, epochs, history);
            dev.state();  // waits for the last epoch
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        double rate = epochs / seconds;
        out.println();
        out.printf(Locale.ROOT, "paper config, %d epochs, test loss every epoch: %.2f s, %.0f epochs/s "
                + "(40,000 epochs: %.1f s; target %.0f epochs/s: %s)%n", epochs, seconds, rate, 40_000 / rate,
                TARGET_EPOCHS_PER_SECOND, rate >= TARGET_EPOCHS_PER_SECOND ? "met" : "NOT met");
        int last = history.size() - 1;
        out.printf(Locale.ROOT, "after %d epochs: train loss %.4g, test loss %.4g, train acc %.3f, test acc %.3f%n",
                history.size(), history.trainLoss(last), history.testLoss(last), history.trainAcc(last),
                history.testAcc(last));
        boolean finite = Double.isFinite(history.trainLoss(last)) && Double.isFinite(history.testLoss(last));
        ok &= finite;

        // 4. Per-kernel times of replayed epochs (events around every kernel; the run synchronises per epoch).
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        try (DeviceEngine dev = new DeviceEngine(config, split, device, false,
                new PrintStream(table, true, StandardCharsets.UTF_8))) {
            dev.setState(start);
            dev.runEpochs(0, 201, new History());
        }
        out.println();
        out.print(table.toString(StandardCharsets.UTF_8));
        out.println();
        out.println(ok ? "gpu-check: OK" : "gpu-check: FAILED (see the rows above)");
        return ok ? 0 : 1;
    }

    private static boolean row(PrintStream out, String what, double err, double bound) {
        boolean pass = err < bound;
        out.printf(Locale.ROOT, "  %-42s %12.2e %10.0e %s%n", what, err, bound, pass ? "" : "FAIL");
        return pass;
    }

    private static double maxRel(float[] a, float[] b) {
        double diff = 0;
        double scale = 1e-6;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }
}
