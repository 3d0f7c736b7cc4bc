package io.jgrok.engine.device;

import io.jgrok.device.Device;
import io.jgrok.device.Dim3;
import io.jgrok.device.KernelArgs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-kernel times of replayed epochs ({@code --profile}): a graph captured through {@link #recorder} has an event
 * recorded before each of its launches and one after the last; events inside a graph are re-recorded at every
 * replay (CUDA_EVENT_RECORD_EXTERNAL on a GPU, host timestamps on the emulated device), so after each replay the
 * time between consecutive events is one launch's time. Rows are the launches' labels, summed over repeated labels
 * within an epoch, averaged over the profiled epochs. Reading the events waits for the replay, so a profiled run
 * synchronises once per epoch (slightly slower than an unprofiled one).
 */
final class EpochProfile {
    private final Map<String, double[]> millis = new LinkedHashMap<>();  // label -> {total ms, launches}
    private long epochs;
    private double totalMillis;

    /**
     * A launcher that records events around the launches it issues, for capture. Events must exist before capture
     * begins (a GPU cannot create one during capture), so the recorder takes them from a pool made up front.
     */
    Recorder recorder(Device device, int maxLaunches) {
        return new Recorder(device, maxLaunches);
    }

    /** Adds one replay's times (call after each replay of the graph the recorder captured). */
    void collect(Recorder r) {
        if (r.used == 0) {
            return;
        }
        double epoch = 0;
        for (int i = 0; i < r.used; i++) {
            double ms = r.device.elapsedMillis(r.events.get(i), r.events.get(i + 1));
            double[] row = millis.computeIfAbsent(r.labels.get(i), k -> new double[2]);
            row[0] += ms;
            row[1] += 1;
            epoch += ms;
        }
        totalMillis += epoch;
        epochs++;
    }

    long epochs() {
        return epochs;
    }

    /** The table: label, launches per epoch, mean microseconds per epoch, share of the epoch. */
    String table(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(title).append(String.format(Locale.ROOT, " (mean over %d replayed epochs)%n", epochs));
        if (epochs == 0) {
            sb.append("  no replayed epochs were profiled\n");
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "  %-56s %8s %12s %7s%n", "kernel", "launches", "us/epoch", "share"));
        for (Map.Entry<String, double[]> e : millis.entrySet()) {
            double us = 1000.0 * e.getValue()[0] / epochs;
            sb.append(String.format(Locale.ROOT, "  %-56s %8.1f %12.1f %6.1f%%%n", e.getKey(),
                    e.getValue()[1] / epochs, us, 100.0 * e.getValue()[0] / totalMillis));
        }
        sb.append(String.format(Locale.ROOT, "  %-56s %8s %12.1f %6.1f%%%n", "epoch (sum of kernels)", "",
                1000.0 * totalMillis / epochs, 100.0));
        return sb.toString();
    }

    /** Per-label mean microseconds per epoch, in first-launch order. */
    Map<String, Double> meanMicros() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : millis.entrySet()) {
            out.put(e.getKey(), epochs == 0 ? 0.0 : 1000.0 * e.getValue()[0] / epochs);
        }
        return out;
    }

    /** Per-label launches per epoch, in first-launch order. */
    Map<String, Double> launchesPerEpoch() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : millis.entrySet()) {
            out.put(e.getKey(), epochs == 0 ? 0.0 : e.getValue()[1] / epochs);
        }
        return out;
    }

    /** Issues launches with an event before each; {@link #finish} records the closing event. */
    static final class Recorder implements Launcher {
        private final Device device;
        private final List<Device.Event> events = new ArrayList<>();
        private final List<String> labels = new ArrayList<>();
        private int used;

        private Recorder(Device device, int maxLaunches) {
            this.device = device;
            for (int i = 0; i <= maxLaunches; i++) {
                events.add(device.createEvent());
            }
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public void launch(String label, String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes,
                           KernelArgs args) {
            if (used + 1 >= events.size()) {
                throw new IllegalStateException("more than " + (events.size() - 1) + " launches in a profiled epoch");
            }
            device.record(events.get(used));
            labels.add(label);
            used++;
            device.launch(kernel, grid, block, dynamicSharedBytes, args);
        }

        void finish() {
            device.record(events.get(used));
        }
    }
}
