package io.jgrok.sweep;

import io.jgrok.UserError;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.Device;
import io.jgrok.device.DeviceException;
import io.jgrok.engine.device.LockstepBatch;
import io.jgrok.io.SplitFiles;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The device's way of training many models: runs of one shape (and train-set size) are trained up to
 * {@code width} at a time as one {@link LockstepBatch}, so that every kernel launch of a step serves all of them
 * (the model is the grid's z index). Each run still has its own trainer, on its own thread, writing its own files
 * exactly as {@code ./jgrok train} would; the batch makes the trainers step together. Groups of different shapes
 * are trained one after another.
 */
public final class DeviceBatchTrainer implements BatchTrainer {
    private final String kind;
    private final int width;
    private final Supplier<Device> devices;
    private volatile boolean stopStarting;

    /**
     * @param kind    "cuda" or "emulated", for messages
     * @param width   most models per batch
     * @param devices opens a device for each batch (closed with the batch)
     */
    public DeviceBatchTrainer(String kind, int width, Supplier<Device> devices) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be positive: " + width);
        }
        this.kind = kind;
        this.width = width;
        this.devices = devices;
    }

    @Override
    public String description() {
        return kind + " device: up to " + width + " models of one shape per kernel launch";
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public void stopStarting() {
        stopStarting = true;
    }

    /** A job with the split its trainer will use. */
    private record Member(TrainJob job, Split split) {
    }

    @Override
    public void train(List<TrainJob> jobs, Listener listener) {
        Map<String, List<Member>> groups = new LinkedHashMap<>();
        for (TrainJob job : jobs) {
            Split split;
            try {
                split = splitOf(job);
            } catch (UserError e) {
                if (stopStarting) {
                    return;
                }
                listener.started(job);
                listener.ended(job, TrainResult.failed(e.getMessage()));
                continue;
            }
            String key = job.run().shape().label() + "/" + split.trainSize();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Member(job, split));
        }
        for (List<Member> group : groups.values()) {
            for (int from = 0; from < group.size(); from += width) {
                if (stopStarting) {
                    return;
                }
                trainTogether(group.subList(from, Math.min(group.size(), from + width)), listener);
            }
        }
    }

    /** The split the run's trainer will use: the run directory's when it resumes, else the spec's or the config's. */
    static Split splitOf(TrainJob job) {
        RunConfig c = job.config();
        if (Files.exists(job.dir().config()) && Files.exists(job.dir().split())) {
            return SplitFiles.read(job.dir().split(), c.p());
        }
        return job.run().splitFile() != null ? SplitFiles.read(job.run().splitFile(), c.p()) : Split.of(c);
    }

    private void trainTogether(List<Member> members, Listener listener) {
        LockstepBatch batch;
        try {
            Device device = devices.get();
            try {
                batch = new LockstepBatch(device, true, members.stream().map(m -> m.job().config()).toList(),
                        members.stream().map(Member::split).toList());
            } catch (RuntimeException e) {
                device.close();
                throw e;
            }
        } catch (DeviceException | UserError e) {
            for (Member m : members) {
                listener.started(m.job());
                listener.ended(m.job(), TrainResult.failed("--device " + kind + ": " + e.getMessage()));
            }
            return;
        }
        List<Thread> threads = new ArrayList<>();
        RuntimeException[] listenerFailure = new RuntimeException[1];
        try {
            for (int z = 0; z < members.size(); z++) {
                final int model = z;
                TrainJob job = members.get(z).job();
                Thread t = new Thread(() -> {
                    try {
                        listener.started(job);
                        TrainResult result;
                        try {
                            result = RunTraining.train(job, (config, split, notices) -> batch.view(model, config,
                                    split), epochs -> listener.progressed(job, epochs));
                        } finally {
                            batch.leave(model);
                        }
                        listener.ended(job, result);
                    } catch (RuntimeException e) {
                        batch.leave(model);
                        synchronized (listenerFailure) {
                            listenerFailure[0] = e;
                        }
                    }
                }, "jgrok-sweep-model-" + z);
                t.setDaemon(true);
                threads.add(t);
            }
            threads.forEach(Thread::start);
            joinAll(threads);
        } finally {
            batch.close();
        }
        if (listenerFailure[0] != null) {
            throw listenerFailure[0];
        }
    }

    private static void joinAll(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    // Runs stop through their own trainers (SIGINT/SIGTERM); wait until they have checkpointed.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
