package dev.gguflens.sim;

/**
 * How far values after a quantization round trip are from the source values, over one tensor or a group
 * of tensors, with {@code d = x - y} (source minus round trip) computed in double from f32 values.
 *
 * @param n            values covered (all of them, also when sampled)
 * @param measured     values actually compared: {@code n} unless sampled
 * @param sse          Σd² (sampled: estimated as mean d² x n)
 * @param rmse         √(Σd²/n)
 * @param maxAbs       max |d| (sampled: the largest seen, a lower bound)
 * @param sourceRms    √(Σx²/n), the source's own size
 * @param relativeRmse rmse / sourceRms = √(Σd²/Σx²); 0 without error, +∞ for an error on a zero signal
 * @param snrDb        10·log10(Σx²/Σd²); +∞ without error
 * @param cosine       Σxy / √(Σx²·Σy²); 1 for two zero vectors, 0 when only one is zero
 * @param p50          median |d|, from a histogram: within 0.78% (see {@link ErrorHistogram})
 * @param p95          95th percentile of |d|, same resolution
 * @param p99          99th percentile of |d|, same resolution
 * @param intervals    95% confidence intervals when sampled, else null
 *
 * <p>When a sample measured none of a tensor's values, its estimates are NaN (unknown); a tensor without
 * values has zero error.
 */
public record ErrorStats(long n, long measured, double sse, double rmse, double maxAbs, double sourceRms, double relativeRmse,
                         double snrDb, double cosine, double p50, double p95, double p99, ErrorIntervals intervals) {

    /** Whether this covers a sample of the values rather than all of them. */
    public boolean sampled() {
        return intervals != null;
    }

    /**
     * The statistics of {@code total} (over {@code n} values, of which {@code total.n} were compared).
     * With {@code groups} (a sample's random groups) the estimates get confidence intervals.
     */
    static ErrorStats of(ErrorSums total, long n, ErrorSums[] groups, double fraction) {
        Estimates e = Estimates.of(total, n);
        double p50 = 0, p95 = 0, p99 = 0;
        if (total.n > 0 || n > 0) {
            p50 = total.quantile(0.50);
            p95 = total.quantile(0.95);
            p99 = total.quantile(0.99);
        }
        ErrorIntervals intervals = null;
        if (groups != null) {
            intervals = RandomGroups.intervals(e, p50, p95, p99, groups, n, fraction);
        }
        return new ErrorStats(n, total.n, e.sse, e.rmse, total.maxAbs, e.sourceRms, e.relativeRmse, e.snrDb, e.cosine,
                p50, p95, p99, intervals);
    }

    /**
     * The statistics of a tensor measured in full during a sampled run (a small one, see
     * {@code ErrorEngine}): exact, so every interval has zero width.
     */
    static ErrorStats measuredInFull(ErrorSums total, long n) {
        ErrorStats e = of(total, n, null, 1.0);
        ErrorIntervals exact = new ErrorIntervals(point(e.sse), point(e.rmse), point(e.relativeRmse), point(e.snrDb),
                point(e.cosine), point(e.p50), point(e.p95), point(e.p99));
        return new ErrorStats(e.n, e.measured, e.sse, e.rmse, e.maxAbs, e.sourceRms, e.relativeRmse, e.snrDb, e.cosine,
                e.p50, e.p95, e.p99, exact);
    }

    /**
     * The statistics of a pool of tensors (the model, a role, a layer) in a sampled run where some tensor
     * was sampled (a pool measured wholly in full is {@link #measuredInFull}).
     *
     * @param totals      the estimated totals of the pool's four sums (count {@code n})
     * @param groupTotals the same per random group
     * @param samples     the pooled sample per random group (the units each tensor's Bernoulli sample took), for
     *                    the percentiles and the intervals' group count
     * @param measured    values compared, sampled or in full
     * @param maxAbs      the largest |d| seen
     */
    static ErrorStats ofPool(ErrorSums totals, ErrorSums[] groupTotals, ErrorSums[] samples, long n, long measured,
                             double maxAbs, double fraction) {
        Estimates e = Estimates.of(totals, n);
        ErrorSums sample = new ErrorSums();
        for (ErrorSums g : samples) {
            sample.add(g);
        }
        double p50 = 0, p95 = 0, p99 = 0;
        if (n > 0) {
            p50 = sample.quantile(0.50);
            p95 = sample.quantile(0.95);
            p99 = sample.quantile(0.99);
        }
        ErrorIntervals intervals = RandomGroups.intervals(e, p50, p95, p99, groupTotals, samples, n, fraction);
        return new ErrorStats(n, measured, e.sse, e.rmse, maxAbs, e.sourceRms, e.relativeRmse, e.snrDb, e.cosine,
                p50, p95, p99, intervals);
    }

    private static Interval point(double v) {
        return Double.isFinite(v) ? new Interval(v, v) : null;
    }

    /**
     * The statistics of a tensor copied as it is, from its sums over every value (a full run, or a sampled run
     * that reads a small tensor in full): no error, the source's own size, and with a sample intervals of zero
     * width. A large kept tensor in a sampled run gets {@link #of}'s estimates, whose error terms are zero too.
     */
    static ErrorStats unchanged(ErrorSums total, long n, boolean sampled) {
        double rms = total.n == 0 ? 0 : Math.sqrt(total.sumX2 / total.n);
        ErrorIntervals intervals = null;
        if (sampled) {
            Interval zero = new Interval(0, 0);
            intervals = new ErrorIntervals(zero, zero, zero, null, new Interval(1, 1), zero, zero, zero);
        }
        return new ErrorStats(n, total.n, 0, 0, 0, rms, 0, Double.POSITIVE_INFINITY, 1, 0, 0, 0, intervals);
    }

    /** The estimates derived from a set of sums; also computed per random group. */
    record Estimates(double sse, double rmse, double sourceRms, double relativeRmse, double snrDb, double cosine) {
        static Estimates of(ErrorSums s, long n) {
            if (s.n == 0) {
                // A tensor without values has nothing to lose; a sample that missed every value knows nothing.
                return n == 0 ? new Estimates(0, 0, 0, 0, Double.POSITIVE_INFINITY, 1)
                        : new Estimates(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double mse = s.sse / s.n;
            // Over every value the sum is reported as summed; from a sample it is scaled to the whole tensor.
            double sse = s.n == n ? s.sse : mse * n;
            double rmse = Math.sqrt(mse);
            double rms = Math.sqrt(s.sumX2 / s.n);
            double rel = s.sse == 0 ? 0 : Math.sqrt(s.sse / s.sumX2);
            double snr = s.sse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(s.sumX2 / s.sse);
            double cos;
            if (s.sse == 0 || s.sumX2 == 0 || s.sumY2 == 0) {
                // Identical values point the same way, even where rounding would make the quotient 1 - 2^-53.
                cos = s.sse == 0 ? 1 : 0;
            } else {
                double norms = s.sumX2 * s.sumY2;
                norms = Double.isFinite(norms) ? Math.sqrt(norms) : Math.sqrt(s.sumX2) * Math.sqrt(s.sumY2);
                cos = Math.max(-1.0, Math.min(1.0, s.sumXY / norms));
            }
            return new Estimates(sse, rmse, rms, rel, snr, cos);
        }
    }
}
