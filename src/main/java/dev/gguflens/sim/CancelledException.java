package dev.gguflens.sim;

/**
 * A run stopped because its {@link Cancellation} was set. Unchecked so it can cross callbacks that only
 * declare {@code IOException} (the GGUF writer's tensor source), which then delete their partial output.
 */
public final class CancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CancelledException() {
        super("interrupted", null, false, false);
    }
}
