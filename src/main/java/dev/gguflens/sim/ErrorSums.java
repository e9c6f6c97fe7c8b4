package dev.gguflens.sim;

import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.ErrorKernel;
import dev.gguflens.quant.PieceSums;

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
     * The counts of the histogram's other bins. Exact zeros count in {@link #zeros} instead: they sit at bin 0,
     * thousands of bins below the others.
     */
    final BinCounts hist = new BinCounts();
    /** The count of the zero bin (|d| exactly 0). */
    long zeros;

    /**
     * Adds {@code count} pairs {@code x[off..], y[off..]}: the {@link ErrorKernel} measures them as one piece, in its
     * documented order from zero, and the piece's sums are added to the running ones; their histogram counts stay in
     * {@code pending} until {@link #drain(PendingCounts)}. Counting is order-free, so the counts of many pieces (a
     * chunk's, or a sample's units of about 256 values) are added to the histogram at once: drained piece by piece,
     * walking each piece's range of bins cost about as much as measuring it.
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
        hist.addAll(o.hist);
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
        hist.drain(bins, lo, hi);
    }

    /** The {@code p}-quantile of |d| (see {@link ErrorHistogram#quantile}). */
    double quantile(double p) {
        return ErrorHistogram.quantile(zeros, hist, p, maxAbs);
    }
}
