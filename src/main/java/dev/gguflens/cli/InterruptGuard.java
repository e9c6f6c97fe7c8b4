package dev.gguflens.cli;

import dev.gguflens.sim.Cancellation;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C (SIGINT, and SIGTERM) into a {@link Cancellation} for the length of a command: the JVM's
 * shutdown hook sets the flag and waits for the command to clean up (delete its temporary file) before
 * the JVM exits, with status 130 for SIGINT.
 */
final class InterruptGuard implements AutoCloseable {
    /** How long the hook waits for the command to notice and clean up before letting the JVM go. */
    private static final long CLEANUP_SECONDS = 30;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    InterruptGuard(Cancellation cancel) {
        this.hook = new Thread(() -> {
            cancel.cancel();
            try {
                finished.await(CLEANUP_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "gguflens-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The command is done (and has cleaned up): a pending shutdown may proceed. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (Ctrl-C): the hook has run or is running; nothing to remove.
        }
    }
}
