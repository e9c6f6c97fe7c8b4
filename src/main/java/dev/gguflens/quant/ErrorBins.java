package dev.gguflens.quant;

/**
 * The fixed bins of |error| histograms that an {@link ErrorKernel} counts into, from which percentiles
 * are read (in {@code sim}).
 *
 * <p>Bin 0 holds exact zeros. The others split each power of two {@code [2^e, 2^(e+1))} into 64 equal
 * bins (the exponent and the top 6 mantissa bits of the double), for {@code e} from -64 to 63; smaller
 * non-zero values count in the lowest bin and larger ones (infinity included) in the highest. The
 * middle of a bin is within {@code 1/128} (0.78%) of every value in it, for values between 2^-64 and
 * 2^64. 8,193 bins, mergeable by addition.
 */
public final class ErrorBins {
    /** Mantissa bits used per octave: 64 bins per power of two. */
    public static final int SUB_BITS = 6;
    public static final int MIN_EXP = -64;
    public static final int MAX_EXP = 63;
    /** Number of bins, the zero bin included. */
    public static final int BINS = 1 + ((MAX_EXP - MIN_EXP + 1) << SUB_BITS);
    /** Right shift of a double's bits that leaves its exponent and top {@link #SUB_BITS} mantissa bits. */
    public static final int SHIFT = 52 - SUB_BITS;
    /** Subtracted from the shifted bits so that 2^{@link #MIN_EXP} gives 0 (the bin above the zero bin, minus one). */
    public static final long OFFSET = (1023L + MIN_EXP) << SUB_BITS;

    private ErrorBins() {
    }

    /** The bin of {@code a >= 0} (NaN is the caller's to leave out). */
    public static int bin(double a) {
        // Branch-free: the exponent and the top mantissa bits of the double are the bin, clamped to the
        // range; only an exact zero is set apart.
        long bits = Double.doubleToRawLongBits(a);
        long k = (bits >>> SHIFT) - OFFSET;
        int b = 1 + (int) Math.min(Math.max(k, 0), BINS - 2);
        return bits == 0 ? 0 : b;
    }
}
