package dev.gguflens.sim;

import dev.gguflens.quant.ErrorBins;

/**
 * Percentiles from |error| histograms counted in {@link ErrorBins}' fixed bins (their layout is defined
 * there, beside the kernels that count into them).
 *
 * <p>A percentile is reported as the middle of its bin, so it is within half a bin of the exact order
 * statistic: at most {@code 1/128} (0.78%) relative error for values between 2^-64 and 2^64. It is also
 * capped at the exact maximum. Histograms merge by addition, so model-level percentiles are exact merges
 * of the tensors' histograms.
 */
public final class ErrorHistogram {
    private static final int SUB_BITS = ErrorBins.SUB_BITS;
    private static final int MIN_EXP = ErrorBins.MIN_EXP;

    private ErrorHistogram() {
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
     * The {@code p}-quantile (0 < p <= 1) of the values counted: {@code zeros} exact zeros (bin 0) and the others in
     * {@code counts}. The bin of the {@code ceil(p x total)}-th smallest value, as its representative capped at
     * {@code max}; NaN when there are no values.
     */
    static double quantile(long zeros, BinCounts counts, double p, double max) {
        long total = zeros + counts.total();
        if (total <= 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p * total));
        if (rank <= zeros) {
            return Math.min(representative(0), max);
        }
        int bin = counts.binOfRank(rank - zeros);
        return bin < 0 ? max : Math.min(representative(bin), max);
    }
}
