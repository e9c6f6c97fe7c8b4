package dev.gguflens.sim;

import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.ErrorBins;
import dev.gguflens.quant.ErrorKernel;
import dev.gguflens.quant.PieceSums;
import java.util.Arrays;

/**
 * Running sums over pairs (x source value, y value after the round trip), in double, from which every
 * error statistic is derived: the count, Σd², Σx², Σy², Σxy, max|d| and the |d| histogram
 * ({@link ErrorHistogram}), with {@code d = (double) x - (double) y} as expected-errors.tsv computes it.
 * The sums grow piece by piece: each piece is summed by the {@link ErrorKernel} in its fixed 8-lane
 * order, from zero, and added to the running totals in the order of the calls. Mutable, used by one
 * thread at a time.
 */
final class ErrorSums {
    long n;
    double sse;
    double sumX2;
    double sumY2;
    double sumXY;
    double maxAbs;
    /**
     * Counts of histogram bins {@code histLo ..} (never the zero bin), or null while nothing is counted. Exact zeros
     * count in {@link #zeros} instead: they sit at bin 0, thousands of bins below the others, and a range spanning
     * both made every histogram that saw an exact zero thousands of empty bins longer than its values need.
     */
    long[] hist;
    int histLo;
    /** The count of the zero bin (|d| exactly 0). */
    long zeros;

    /**
     * Adds {@code count} pairs {@code x[off..], y[off..]}: the {@link ErrorKernel} measures them as one piece, in its
     * documented order from zero, and the piece's sums are added to the running ones; their histogram counts stay in
     * {@code pending} until {@link #drain(PendingCounts)}. Counting is order-free, so the counts of many pieces (a
     * chunk's, or a sample's units of about 256 values) are added to the histogram at once: drained piece by piece,
     * walking each piece's range of bins cost about as much as measuring it, and the histogram grew (a new array)
     * whenever a piece reached bins the earlier ones had not.
     */
    void addCountingLater(float[] x, float[] y, int off, int count, PendingCounts pending) {
        measure(x, y, off, count, pending.piece);
        pending.cover(pending.piece.lowBin(), pending.piece.highBin());
    }

    /** Measures a piece with the kernel into {@code piece} and adds all but its histogram counts to these sums. */
    private void measure(float[] x, float[] y, int off, int count, PieceSums piece) {
        Codecs.errorKernel().measure(x, y, off, count, piece);
        sse += piece.sse();
        sumX2 += piece.sumX2();
        sumY2 += piece.sumY2();
        sumXY += piece.sumXY();
        if (piece.maxAbs() > maxAbs) {
            maxAbs = piece.maxAbs();
        }
        n += count;
    }

    /** Adds the counts {@code pending} holds to the histogram, leaving it empty. */
    void drain(PendingCounts pending) {
        drain(pending.piece.counts(), pending.low, pending.high);
        pending.clear();
    }

    /**
     * Counts {@code count} values of zero error whose signal is unknown (a tensor gguflens cannot decode); their
     * histogram count (the zero bin) waits in {@code pending}, as a measured piece's does.
     */
    void addUnknownSignal(int count, PendingCounts pending) {
        n += count;
        pending.countZeros(count);
    }

    /** Adds {@code o}'s sums to these; sums combine in the order of the calls (see {@link ErrorEngine}). */
    void add(ErrorSums o) {
        n += o.n;
        sse += o.sse;
        sumX2 += o.sumX2;
        sumY2 += o.sumY2;
        sumXY += o.sumXY;
        if (o.maxAbs > maxAbs) {
            maxAbs = o.maxAbs;
        }
        zeros += o.zeros;
        if (o.hist != null) {
            cover(o.histLo, o.histLo + o.hist.length - 1);
            int shift = o.histLo - histLo;
            for (int i = 0; i < o.hist.length; i++) {
                hist[shift + i] += o.hist[i];
            }
        }
    }

    /**
     * Adds {@code k} times {@code o}'s four sums (not its count, maximum or histogram): the estimated
     * totals of a sampled tensor, its sample's sums divided by the share of it that was sampled.
     */
    void addScaled(ErrorSums o, double k) {
        sse += k * o.sse;
        sumX2 += k * o.sumX2;
        sumY2 += k * o.sumY2;
        sumXY += k * o.sumXY;
    }

    private void drain(int[] bins, int lo, int hi) {
        if (lo == 0 && hi >= 0) {
            zeros += bins[0];
            bins[0] = 0;
            lo = 1;
        }
        if (hi < lo) {
            return;
        }
        cover(lo, hi);
        for (int b = lo; b <= hi; b++) {
            hist[b - histLo] += bins[b];
            bins[b] = 0;
        }
    }

    /**
     * Grows the histogram to cover bins {@code lo..hi}, by at least half its length on each side that grows (within
     * the histogram bins, 1 to {@code BINS - 1}). A histogram that many others are added to (a tensor's over its
     * chunks, a pool's over a run) sees ever wider ranges, a few bins at a time: grown to the exact range, it was
     * copied again at nearly every addition, and in a sampled multi-plan run those copies were a fifth of all the
     * memory allocated. Grown by half, it is copied a few times at most.
     */
    private void cover(int lo, int hi) {
        if (hist == null) {
            hist = new long[hi - lo + 1];
            histLo = lo;
            return;
        }
        int end = histLo + hist.length - 1;
        if (lo >= histLo && hi <= end) {
            return;
        }
        int slack = hist.length / 2;
        int from = lo < histLo ? Math.max(1, Math.min(lo, histLo - slack)) : histLo;
        int to = hi > end ? Math.min(ErrorBins.BINS - 1, Math.max(hi, end + slack)) : end;
        long[] grown = new long[to - from + 1];
        System.arraycopy(hist, 0, grown, histLo - from, hist.length);
        hist = grown;
        histLo = from;
    }

    /** The {@code p}-quantile of |d| (see {@link ErrorHistogram#quantile}). */
    double quantile(double p) {
        long counted = zeros + (hist == null ? 0 : Arrays.stream(hist).sum());
        return ErrorHistogram.quantile(zeros, hist, histLo, counted, p, maxAbs);
    }
}
