package dev.gguflens.quant;

/**
 * What an {@link ErrorKernel} measured over one piece of (source, round trip) pairs: Σd², Σx², Σy², Σxy
 * (each summed in the kernel's documented order, from zero), max|d|, and the |d| histogram counts of
 * bins {@link #lowBin()} .. {@link #highBin()} in {@link #counts()}. Mutable, reused piece after piece
 * by one thread.
 */
public final class PieceSums {
    /**
     * Counts per {@link ErrorBins bin}, plus one slot past the last bin where a kernel may dump the NaN
     * differences it does not count (its content means nothing).
     */
    private final int[] counts = new int[ErrorBins.BINS + 1];
    private double sse;
    private double sumX2;
    private double sumY2;
    private double sumXY;
    private double maxAbs;
    private int lowBin = ErrorBins.BINS;
    private int highBin = -1;

    /**
     * The histogram a kernel counts into. A kernel adds its piece's counts to bins
     * {@code lowBin .. highBin}; the caller reads those bins and sets them back to zero, after each piece or
     * after several (keeping the union of their ranges).
     */
    public int[] counts() {
        return counts;
    }

    /** Called by a kernel at the end of a piece ({@code lowBin = BINS, highBin = -1} when nothing was counted). */
    public void set(double sse, double sumX2, double sumY2, double sumXY, double maxAbs, int lowBin, int highBin) {
        this.sse = sse;
        this.sumX2 = sumX2;
        this.sumY2 = sumY2;
        this.sumXY = sumXY;
        this.maxAbs = maxAbs;
        this.lowBin = lowBin;
        this.highBin = highBin;
    }

    /** Σd² over the piece. */
    public double sse() {
        return sse;
    }

    /** Σx² over the piece. */
    public double sumX2() {
        return sumX2;
    }

    /** Σy² over the piece. */
    public double sumY2() {
        return sumY2;
    }

    /** Σxy over the piece. */
    public double sumXY() {
        return sumXY;
    }

    /** max|d| over the piece, 0 when none is larger (a NaN difference never counts). */
    public double maxAbs() {
        return maxAbs;
    }

    /** The lowest bin the piece counted in, {@link ErrorBins#BINS} when it counted nothing. */
    public int lowBin() {
        return lowBin;
    }

    /** The highest bin the piece counted in, -1 when it counted nothing. */
    public int highBin() {
        return highBin;
    }
}
