package io.jgrok.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * A fixed set of worker threads for data-parallel loops. Work is split statically (worker w always gets the same
 * share), which keeps every reduction in a fixed order and the results bit-reproducible for a given thread count.
 */
public final class WorkerPool implements AutoCloseable {
    private final int threads;
    private final ExecutorService executor;

    public WorkerPool(int threads) {
        this.threads = threads;
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "jgrok-cpu-worker");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body.accept(w)} for w = 0 .. threads-1, worker 0 on the calling thread; waits for all. */
    public void forEachWorker(IntConsumer body) {
        if (threads == 1) {
            body.accept(0);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(threads - 1);
        for (int w = 1; w < threads; w++) {
            final int worker = w;
            futures.add(executor.submit(() -> body.accept(worker)));
        }
        Throwable failure = null;
        try {
            body.accept(0);
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Start of worker w's share of n items (contiguous, sizes differ by at most one). */
    public static int shareStart(int w, int workers, int n) {
        return (int) ((long) n * w / workers);
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
