package io.jgrok.sweep;

import io.jgrok.engine.Engines;
import io.jgrok.util.Futures;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CPU's way of training many models: {@code width} runs at a time, each on its own thread with its own CPU
 * engine ({@code threads} from its config, 1 unless the spec says otherwise). The engines share nothing, so a run
 * gives exactly what it gives trained alone with the same thread count, and the cores are used across runs: on the
 * CPU, several small engines beat one wide one because a run's single-thread epoch has no synchronisation.
 * Shapes may be mixed freely.
 */
public final class CpuBatchTrainer implements BatchTrainer {
    private final int width;
    private volatile boolean stopStarting;

    public CpuBatchTrainer(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be positive: " + width);
        }
        this.width = width;
    }

    @Override
    public String description() {
        return "CPU: up to " + width + " run(s) at a time, one CPU engine each";
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public void stopStarting() {
        stopStarting = true;
    }

    @Override
    public void train(List<TrainJob> jobs, Listener listener) {
        if (jobs.isEmpty()) {
            return;
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(width, jobs.size()), r -> {
            Thread t = new Thread(r, "jgrok-sweep-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (TrainJob job : jobs) {
                futures.add(pool.submit(() -> {
                    if (stopStarting) {
                        return;
                    }
                    listener.started(job);
                    TrainResult result = RunTraining.train(job, Engines::open,
                            epochs -> listener.progressed(job, epochs));
                    listener.ended(job, result);
                }));
            }
            for (Future<?> f : futures) {
                // Runs stop through their own trainers (SIGINT/SIGTERM): wait until they have checkpointed. A failure
                // here is a listener's (e.g. the index could not be written): the sweep's problem, not a run's.
                Futures.awaitUninterruptibly(f, IllegalStateException::new);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
