package dev.gguflens.sim;

/**
 * Told how a run progresses; called on the thread that started the run, never concurrently, so an
 * implementation needs no locking. Keep it quick: the run waits for it.
 */
public interface ProgressListener {
    /** A listener that ignores everything. */
    ProgressListener NONE = new ProgressListener() {
    };

    /** A chunk of rows has been processed. */
    default void chunkDone(Progress progress) {
    }

    /** A tensor is finished ({@link Progress#tensor()} names it). */
    default void tensorDone(Progress progress) {
    }
}
