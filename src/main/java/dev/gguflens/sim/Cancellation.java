package dev.gguflens.sim;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A flag a long run checks between chunks: set by Ctrl-C (a shutdown hook) or by a caller that has seen
 * enough. A run that sees it set stops with {@link CancelledException} and leaves nothing behind.
 */
public final class Cancellation {
    private final AtomicBoolean cancelled = new AtomicBoolean();

    /** A token that is never cancelled unless {@link #cancel()} is called. */
    public static Cancellation none() {
        return new Cancellation();
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Throws {@link CancelledException} when cancelled. */
    public void check() {
        if (cancelled.get()) {
            throw new CancelledException();
        }
    }
}
