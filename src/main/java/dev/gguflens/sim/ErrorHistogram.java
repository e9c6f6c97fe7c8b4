package dev.gguflens.sim;

/**
 * The fixed bins of |error| histograms, from which percentiles are read.
 *
 * <p>Bin 0 holds exact zeros. The others split each power of two {@code [2^e, 2^(e+1))} into 64 equal
 * bins (the exponent and the top 6 mantissa bits of the double), for {@code e} from -64 to 63; smaller
 * non-zero values count in the lowest bin and larger ones in the highest. A percentile is reported as
 * the middle of its bin, so it is within half a bin of the exact order statistic: at most
 * {@code 1/128} (0.78%) relative error for values between 2^-64 and 2^64. It is also capped at the
 * exact maximum. 8,193 bins, mergeable by addition, so model-level percentiles are exact merges of the
 * tensors' histograms.
 */
public final class ErrorHistogram {
    /** Mantissa bits used per octave: 64 bins per power of two. */
    static final int SUB_BITS = 6;
    static final int MIN_EXP = -64;
    static final int MAX_EXP = 63;
    /** Number of bins, the zero bin included. */
    public static final int BINS = 1 + ((MAX_EXP - MIN_EXP + 1) << SUB_BITS);

    private ErrorHistogram() {
    }

    /** The bin of {@code a >= 0} (NaN is the caller's to count elsewhere). */
    static int bin(double a) {
        // Branch-free, as it runs once per value of a full simulation: the exponent and the top mantissa
        // bits of the double are the bin, clamped to the range; only an exact zero is set apart.
        long bits = Double.doubleToRawLongBits(a);
        int k = (int) (bits >>> (52 - SUB_BITS)) - ((1023 + MIN_EXP) << SUB_BITS);
        int b = 1 + Math.min(Math.max(k, 0), BINS - 2);
        return bits == 0 ? 0 : b;
    }

    /** The lower edge of a bin (0 for the zero bin). */
    static double lower(int bin) {
        if (bin == 0) {
            return 0;
        }
        int k = bin - 1;
        int exp = (k >> SUB_BITS) + MIN_EXP;
        int sub = k & ((1 << SUB_BITS) - 1);
        return Math.scalb(1.0 + (double) sub / (1 << SUB_BITS), exp);
    }

    /** The value reported for a bin: the middle of its range (0 for the zero bin). */
    static double representative(int bin) {
        if (bin == 0) {
            return 0;
        }
        int k = bin - 1;
        int exp = (k >> SUB_BITS) + MIN_EXP;
        int sub = k & ((1 << SUB_BITS) - 1);
        return Math.scalb(1.0 + (sub + 0.5) / (1 << SUB_BITS), exp);
    }

    /**
     * The {@code p}-quantile (0 < p <= 1) of the values counted in {@code counts} (bins
     * {@code lo .. lo + counts.length - 1}), {@code total} of them: the bin of the
     * {@code ceil(p x total)}-th smallest value, as its representative capped at {@code max}.
     * NaN when there are no values.
     */
    static double quantile(long[] counts, int lo, long total, double p, double max) {
        if (total <= 0 || counts == null) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(representative(lo + i), max);
            }
        }
        return max;
    }
}
