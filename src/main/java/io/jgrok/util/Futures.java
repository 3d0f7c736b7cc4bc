package io.jgrok.util;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Waiting for work handed to another thread when the caller must not go on before it has finished. */
public final class Futures {
    private Futures() {
    }

    /**
     * Waits until {@code f} is done, even when interrupted (the interrupt is kept and set again on the way out: the
     * caller stops later, once the work it waits for is complete, e.g. a checkpoint on disk). A failure of the work
     * is thrown as it was thrown there when it is a RuntimeException or an Error, otherwise as {@code wrap} makes it.
     */
    public static void awaitUninterruptibly(Future<?> f, Function<Throwable, RuntimeException> wrap) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw wrap.apply(cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
