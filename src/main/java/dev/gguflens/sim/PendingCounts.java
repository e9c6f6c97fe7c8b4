package dev.gguflens.sim;

import dev.gguflens.quant.ErrorBins;
import dev.gguflens.quant.PieceSums;

/**
 * Histogram counts of several pieces that one {@link ErrorSums} has measured but not yet counted
 * ({@link ErrorSums#addCountingLater}): the kernel's scratch, whose counts add up piece after piece, and the
 * union of the pieces' bin ranges. One per thread and destination, reused.
 */
final class PendingCounts {
    final PieceSums piece = new PieceSums();
    /** The union of the pending pieces' bins ({@code low > high}: none). */
    int low = ErrorBins.BINS;
    int high = -1;

    void cover(int lowBin, int highBin) {
        if (highBin < lowBin) {
            return;
        }
        low = Math.min(low, lowBin);
        high = Math.max(high, highBin);
    }

    /** Adds {@code count} values to the zero bin (|d| exactly 0). */
    void countZeros(int count) {
        piece.counts()[0] += count;
        cover(0, 0);
    }

    /** Forgets the pending counts (a run without percentiles, {@link SimulationSettings.Detail#SUMS}). */
    void discard() {
        int[] counts = piece.counts();
        for (int b = low; b <= high; b++) {
            counts[b] = 0;
        }
        clear();
    }

    void clear() {
        low = ErrorBins.BINS;
        high = -1;
    }
}
