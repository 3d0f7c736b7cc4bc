package io.jgrok.engine.device;

import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.engine.Engine;
import io.jgrok.engine.EpochSink;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;

import java.util.Arrays;
import java.util.List;

/**
 * One {@link DeviceBatch} shared by N trainers, each on its own thread: trainer z trains through {@link #view}(z),
 * an {@link Engine} for model z. A view's {@code runEpochs} waits until every view still in use has asked for
 * epochs; then one {@link DeviceBatch#runEpochs} call (one launch per kernel per step) advances all N models, and
 * each view's history rows go to its own trainer. Views that ask for different numbers of epochs (runs at different
 * epochs, or of different lengths, reach their checkpoints at different times) are served in rounds of the smallest
 * remaining count; DeviceBatch gives each model the same bits whatever the chunking. A view whose run has ended
 * (or never started) {@link #leave}s; its model is still stepped with the others, and nobody reads it.
 *
 * <p>Every DeviceBatch call happens under this object's lock, by whichever trainer thread completes a round. A
 * device error in a round fails every view waiting in it (and every later call), so that no trainer waits forever.
 */
public final class LockstepBatch implements AutoCloseable {
    private final Device device;
    private final boolean ownsDevice;
    private final List<RunConfig> configs;
    private final List<Split> splits;
    private final Shape shape;
    private final DeviceBatch batch;
    private final int models;
    private final boolean[] left;
    private final boolean[] viewed;
    /** Per model: the epochs still wanted by the current runEpochs call (0: not waiting). */
    private final int[] remaining;
    /** Per model: the next epoch to run (kept advancing for models that have left). */
    private final long[] nextEpoch;
    private final EpochSink[] sinks;
    private RuntimeException broken;

    /**
     * @param configs one per model, all of one shape (see {@link DeviceBatch})
     * @param splits  each model's split, exactly as its trainer will pass it to {@link #view}
     */
    public LockstepBatch(Device device, boolean ownsDevice, List<RunConfig> configs, List<Split> splits) {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.configs = List.copyOf(configs);
        this.shape = Shape.of(new ParamLayout(configs.get(0)));
        this.batch = new DeviceBatch(device, configs, splits, false);
        this.models = configs.size();
        this.left = new boolean[models];
        this.viewed = new boolean[models];
        this.remaining = new int[models];
        this.nextEpoch = new long[models];
        this.sinks = new EpochSink[models];
        this.splits = List.copyOf(splits);
    }

    public int models() {
        return models;
    }

    /**
     * Model z's engine, for its trainer. The config and split must be the ones the batch was built with (they are,
     * unless the run directory changed under the sweep); otherwise this throws.
     */
    public synchronized Engine view(int z, RunConfig config, Split split) {
        if (viewed[z] || left[z]) {
            throw new IllegalStateException("model " + z + " of the batch is already in use or has left");
        }
        if (!config.equals(configs.get(z)) || !Arrays.equals(split.train(), splits.get(z).train())
                || !Arrays.equals(split.test(), splits.get(z).test())) {
            throw new IllegalStateException("model " + z + ": the trainer's config or split differs from the one "
                    + "the batch was built with");
        }
        viewed[z] = true;
        return new View(z);
    }

    /** Model z takes no further part: rounds stop waiting for it. Idempotent. */
    public synchronized void leave(int z) {
        left[z] = true;
        remaining[z] = 0;
        sinks[z] = null;
        notifyAll();
    }

    private synchronized int run(int z, long firstEpoch, int count, EpochSink sink) {
        check();
        if (left[z]) {
            throw new IllegalStateException("model " + z + " has left the batch");
        }
        nextEpoch[z] = firstEpoch;
        remaining[z] = count;
        sinks[z] = sink;
        boolean interrupted = false;
        try {
            while (remaining[z] > 0) {
                if (everyoneWaiting()) {
                    round();
                } else {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // Trainers stop between chunks (SIGINT/SIGTERM), never inside one: finish the chunk.
                        interrupted = true;
                    }
                    check();
                }
            }
        } finally {
            remaining[z] = 0;
            sinks[z] = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return count;
    }

    private boolean everyoneWaiting() {
        for (int m = 0; m < models; m++) {
            if (!left[m] && remaining[m] == 0) {
                return false;
            }
        }
        return true;
    }

    /** Runs the smallest remaining count for all models; called with the lock held and every live view waiting. */
    private void round() {
        int count = Integer.MAX_VALUE;
        for (int m = 0; m < models; m++) {
            if (!left[m]) {
                count = Math.min(count, remaining[m]);
            }
        }
        long[] firsts = nextEpoch.clone();
        try {
            batch.runEpochs(firsts, count, new DeviceBatch.Sink() {
                @Override
                public void accept(int m, long epoch, double trainLoss, double trainAcc, double testLoss,
                                   double testAcc) {
                    accept(m, epoch, trainLoss, trainAcc, testLoss, testAcc, Double.NaN, Double.NaN);
                }

                @Override
                public void accept(int m, long epoch, double trainLoss, double trainAcc, double testLoss,
                                   double testAcc, double collapsedF32, double collapsedF64) {
                    if (sinks[m] != null) {
                        sinks[m].accept(epoch, trainLoss, trainAcc, testLoss, testAcc, collapsedF32, collapsedF64);
                    }
                }
            });
        } catch (RuntimeException e) {
            broken = e;
            notifyAll();
            throw e;
        }
        for (int m = 0; m < models; m++) {
            nextEpoch[m] += count;
            if (!left[m]) {
                remaining[m] -= count;
            }
        }
        notifyAll();
    }

    private void check() {
        if (broken != null) {
            throw new IllegalStateException("the shared device batch failed: " + broken.getMessage(), broken);
        }
    }

    @Override
    public synchronized void close() {
        try {
            batch.close();
        } finally {
            if (ownsDevice) {
                device.close();
            }
        }
    }

    /** Model z of the batch, as an engine for its trainer. */
    private final class View implements Engine {
        private final int z;

        View(int z) {
            this.z = z;
        }

        @Override
        public String description() {
            return "device engine, model " + (z + 1) + " of " + models + " trained in lockstep (" + batch.description()
                    + ")";
        }

        @Override
        public void setState(TrainingState state) {
            synchronized (LockstepBatch.this) {
                check();
                batch.setState(z, state);
            }
        }

        @Override
        public TrainingState state() {
            synchronized (LockstepBatch.this) {
                check();
                return batch.state(z);
            }
        }

        @Override
        public int runEpochs(long firstEpoch, int count, EpochSink sink) {
            return run(z, firstEpoch, count, sink);
        }

        @Override
        public int preferredChunk() {
            return DeviceBatch.CHUNK;
        }

        @Override
        public float[] lastGradient() {
            synchronized (LockstepBatch.this) {
                check();
                return batch.gradient(z);
            }
        }

        @Override
        public float[] logits(float[] params, int[] examples) {
            synchronized (LockstepBatch.this) {
                return DeviceForward.logits(device, configs.get(z), new float[][] {params}, examples);
            }
        }

        @Override
        public double lossAndGradient(float[] params, int[] examples, float[] grad) {
            synchronized (LockstepBatch.this) {
                return GradientPass.lossAndGradient(device, shape, configs.get(z).loss(), params, examples, grad);
            }
        }

        @Override
        public void close() {
            leave(z);
        }
    }
}
