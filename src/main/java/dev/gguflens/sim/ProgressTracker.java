package dev.gguflens.sim;

/** Counts tensors and source bytes as a run consumes chunks, and tells a {@link ProgressListener}. */
public final class ProgressTracker {
    private final ProgressListener listener;
    private final int tensorsTotal;
    private final long bytesTotal;
    private final long start = System.nanoTime();
    private int tensorsDone;
    private long bytesDone;

    public ProgressTracker(ProgressListener listener, int tensorsTotal, long bytesTotal) {
        this.listener = listener;
        this.tensorsTotal = tensorsTotal;
        this.bytesTotal = bytesTotal;
    }

    /** {@code bytes} more source bytes of {@code tensor} are done. */
    public void chunkDone(String tensor, long bytes) {
        bytesDone += bytes;
        listener.chunkDone(snapshot(tensor));
    }

    /** {@code tensor} is finished. */
    public void tensorDone(String tensor) {
        tensorsDone++;
        listener.tensorDone(snapshot(tensor));
    }

    public Progress snapshot(String tensor) {
        return new Progress(tensorsDone, tensorsTotal, bytesDone, bytesTotal, System.nanoTime() - start, tensor);
    }

    public long elapsedNanos() {
        return System.nanoTime() - start;
    }
}
