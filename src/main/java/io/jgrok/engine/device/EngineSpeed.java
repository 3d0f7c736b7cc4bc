package io.jgrok.engine.device;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.io.History;
import io.jgrok.model.Initializer;
import io.jgrok.model.TrainingState;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The device engine's speed, for {@code jgrok gpu-check}: epochs per second of the epoch loop (graph replays, the
 * losses read back per chunk, as a run trains between checkpoints), and the per-kernel times of replayed epochs
 * ({@code --profile}'s events around every launch).
 */
public final class EngineSpeed {
    /** Epochs run before timing: the eager first epoch, the graph captures, and the JIT of the host side. */
    static final int WARMUP_EPOCHS = 20;

    private EngineSpeed() {
    }

    /** A timed stretch of epochs and where it ended. */
    public record Throughput(int epochs, double seconds, double trainLoss, double testLoss, double trainAcc,
                             double testAcc) {
        public double epochsPerSecond() {
            return epochs / seconds;
        }
    }

    /** One launch label of a profiled epoch: launches per epoch and mean microseconds per epoch. */
    public record Launch(String label, double launches, double micros) {
    }

    /** The per-kernel table of replayed epochs. */
    public record Profile(int epochs, List<Launch> launches, String table) {
        public double epochMicros() {
            return launches.stream().mapToDouble(Launch::micros).sum();
        }
    }

    /** Times {@code epochs} epochs of the config from its initial weights, after {@link #WARMUP_EPOCHS}. */
    public static Throughput epochsPerSecond(Device device, RunConfig config, int epochs) {
        return epochsPerSecond(device, config, epochs, KernelVariants.selected());
    }

    /** As above, with the given kernel versions. */
    public static Throughput epochsPerSecond(Device device, RunConfig config, int epochs, KernelVariants variants) {
        Split split = Split.of(config);
        History history = new History();
        try (DeviceEngine engine = new DeviceEngine(config, split, device, false, null, variants)) {
            engine.setState(TrainingState.fresh(Initializer.initialParameters(config)));
            engine.runEpochs(0, WARMUP_EPOCHS, history);
            long t0 = System.nanoTime();
            engine.runEpochs(WARMUP_EPOCHS, epochs, history);
            engine.state();  // waits for the last epoch
            double seconds = (System.nanoTime() - t0) / 1e9;
            int last = history.size() - 1;
            return new Throughput(epochs, seconds, history.trainLoss(last), history.testLoss(last),
                    history.trainAcc(last), history.testAcc(last));
        }
    }

    /** Per-kernel times over {@code epochs} replayed epochs (after an eager first one). */
    public static Profile profile(Device device, RunConfig config, int epochs) {
        return profile(device, config, epochs, KernelVariants.selected());
    }

    /**
     * As above, with the given kernel versions: the launches of a version other than the default carry its name in
     * their label ("backward: query side [warp]").
     */
    public static Profile profile(Device device, RunConfig config, int epochs, KernelVariants variants) {
        Split split = Split.of(config);
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        List<Launch> launches = new ArrayList<>();
        int profiled;
        try (DeviceEngine engine = new DeviceEngine(config, split, device, false,
                new PrintStream(table, true, StandardCharsets.UTF_8), variants)) {
            engine.setState(TrainingState.fresh(Initializer.initialParameters(config)));
            engine.runEpochs(0, epochs + 1, new History());
            EpochProfile p = engine.batch().profile();
            Map<String, Double> counts = p.launchesPerEpoch();
            for (Map.Entry<String, Double> e : p.meanMicros().entrySet()) {
                launches.add(new Launch(e.getKey(), counts.get(e.getKey()), e.getValue()));
            }
            profiled = (int) p.epochs();
        }
        return new Profile(profiled, launches, table.toString(StandardCharsets.UTF_8));
    }
}
