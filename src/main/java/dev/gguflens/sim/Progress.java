package dev.gguflens.sim;

/**
 * How far a run through a model's tensors has got, for progress bars and per-tensor lines.
 *
 * @param tensorsDone  tensors finished
 * @param tensorsTotal tensors in the run
 * @param bytesDone    source bytes processed (tensor data, as stored in the source file)
 * @param bytesTotal   source bytes the run will process
 * @param elapsedNanos time since the run started
 * @param tensor       the tensor being worked on (or just finished), or null before the first
 */
public record Progress(int tensorsDone, int tensorsTotal, long bytesDone, long bytesTotal, long elapsedNanos, String tensor) {

    /** Source megabytes (10^6 bytes) per second so far; 0 at the start. */
    public double megabytesPerSecond() {
        return elapsedNanos <= 0 ? 0 : bytesDone / 1e6 / (elapsedNanos / 1e9);
    }

    /** Estimated seconds left at the rate so far, or -1 when there is no rate yet. */
    public double etaSeconds() {
        if (bytesDone <= 0 || elapsedNanos <= 0) {
            return -1;
        }
        return (bytesTotal - bytesDone) * (elapsedNanos / 1e9) / bytesDone;
    }

    /** The fraction done, by bytes (by tensors when there are no bytes). */
    public double fraction() {
        if (bytesTotal > 0) {
            return Math.min(1.0, (double) bytesDone / bytesTotal);
        }
        return tensorsTotal == 0 ? 1.0 : (double) tensorsDone / tensorsTotal;
    }
}
