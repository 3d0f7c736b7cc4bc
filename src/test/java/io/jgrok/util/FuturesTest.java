package io.jgrok.util;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Futures#awaitUninterruptibly}: an interrupt neither cuts the wait short nor gets lost, and the work's failure
 * comes out as thrown (unchecked) or as the caller wraps it (checked).
 */
class FuturesTest {
    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutDown() {
        pool.shutdownNow();
        Thread.interrupted();  // never leak an interrupt into the next test
    }

    @Test
    void anInterruptWaitsForTheWorkAndIsKept() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Future<?> f = pool.submit(() -> {
            release.await();
            Thread.sleep(50);
            finished.set(true);
            return null;
        });
        Thread.currentThread().interrupt();
        release.countDown();
        Futures.awaitUninterruptibly(f, IllegalStateException::new);
        assertTrue(finished.get(), "returned only after the work had finished");
        assertTrue(Thread.interrupted(), "the interrupt is set again on the way out");
    }

    @Test
    void uncheckedFailuresComeOutAsThrown() {
        IllegalArgumentException thrown = new IllegalArgumentException("bad");
        Future<?> f = pool.submit(() -> {
            throw thrown;
        });
        assertSame(thrown, assertThrows(IllegalArgumentException.class,
                () -> Futures.awaitUninterruptibly(f, IllegalStateException::new)));
        AssertionError error = new AssertionError("an Error");
        Future<?> g = pool.submit(() -> {
            throw error;
        });
        assertSame(error, assertThrows(AssertionError.class,
                () -> Futures.awaitUninterruptibly(g, IllegalStateException::new)));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void checkedFailuresAreWrappedByTheCaller() {
        IOException thrown = new IOException("disk");
        Future<?> f = pool.submit(() -> {
            throw thrown;
        });
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Futures.awaitUninterruptibly(f, cause -> new IllegalStateException("wrapped: " + cause, cause)));
        assertSame(thrown, e.getCause());
        assertTrue(e.getMessage().startsWith("wrapped: java.io.IOException: disk"), e.getMessage());
    }
}
