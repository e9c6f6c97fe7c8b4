package dev.gguflens.quant;

/**
 * Measures how far round-trip values are from their source values over one piece of a tensor: the sums
 * every error statistic derives from ({@link PieceSums}), with {@code d = (double) x - (double) y}.
 * Implementations (the scalar specification in {@code quant.ref}, a Vector API one in
 * {@code quant.simd}) give the very same doubles and counts on every machine and at every vector width;
 * {@link Codecs#errorKernel()} hands out the fastest.
 *
 * <p><b>The order of the sums is part of the contract.</b> Each sum (Σd², Σx², Σy², Σxy) is kept in
 * {@value #LANES} lanes: lane {@code j} adds the terms of elements {@code off + j, off + j + 8,
 * off + j + 16, ...} in increasing order, starting from 0.0 (so the last {@code count % 8} elements go
 * to lanes 0, 1, ... as their index says). The lanes then fold in this fixed order:
 * {@code ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))}. Every term is a product rounded to double
 * and then added (never a fused multiply-add). Each call starts from zero; callers add the folded piece
 * sums to their running totals.
 *
 * <p>max|d| is exact in any order; a NaN {@code d} never wins it and is not counted in the histogram.
 * Every other {@code |d|} counts once in its {@link ErrorBins} bin.
 */
public interface ErrorKernel {
    /** Lanes per sum. */
    int LANES = 8;

    /**
     * Measures pairs {@code x[off .. off + count)}, {@code y[off .. off + count)} into {@code into}:
     * its sums, maximum and bin range are replaced, and the counts added to its histogram. The range is this
     * piece's only: a caller that lets the counts of several pieces add up (they are order-free) keeps the
     * union of their ranges itself.
     */
    void measure(float[] x, float[] y, int off, int count, PieceSums into);

    /**
     * The fixed fold of eight lane sums: {@code ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))} of
     * {@code lanes[from .. from + 8)}.
     */
    static double fold(double[] lanes, int from) {
        return ((lanes[from] + lanes[from + 1]) + (lanes[from + 2] + lanes[from + 3]))
                + ((lanes[from + 4] + lanes[from + 5]) + (lanes[from + 6] + lanes[from + 7]));
    }
}
