package dev.gguflens.sim;

import java.util.function.ToDoubleFunction;

/** The random group method's confidence intervals (see {@link Sampling}). */
final class RandomGroups {
    /** Student's t, 97.5% quantile, for 1..9 degrees of freedom (G - 1 with G ≤ 10 groups). */
    private static final double[] T975 = {Double.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262};

    private RandomGroups() {
    }

    static ErrorIntervals intervals(ErrorStats.Estimates all, double p50, double p95, double p99, ErrorSums[] groups,
                                    long n, double fraction) {
        return intervals(all, p50, p95, p99, groups, groups, n, fraction);
    }

    /**
     * The intervals when the estimates of each group come from other sums than its sample (a pool of
     * tensors: estimated totals per group, see {@code ErrorEngine}): group {@code g} counts when its
     * sample {@code samples[g]} holds values; its estimates are made from {@code estimates[g]} and its
     * percentiles from {@code samples[g]}.
     */
    static ErrorIntervals intervals(ErrorStats.Estimates all, double p50, double p95, double p99, ErrorSums[] estimates,
                                    ErrorSums[] samples, long n, double fraction) {
        int g = 0;
        for (ErrorSums s : samples) {
            if (s.n > 0) {
                g++;
            }
        }
        if (g < 2) {
            return new ErrorIntervals(null, null, null, null, null, null, null, null);
        }
        ErrorStats.Estimates[] est = new ErrorStats.Estimates[g];
        double[] q50 = new double[g], q95 = new double[g], q99 = new double[g];
        int i = 0;
        for (int k = 0; k < samples.length; k++) {
            ErrorSums s = samples[k];
            if (s.n > 0) {
                est[i] = ErrorStats.Estimates.of(estimates[k], n);
                q50[i] = s.quantile(0.50);
                q95[i] = s.quantile(0.95);
                q99[i] = s.quantile(0.99);
                i++;
            }
        }
        double scale = T975[Math.min(g - 1, T975.length - 1)];
        double fpc = 1 - fraction;
        return new ErrorIntervals(
                interval(all.sse(), values(est, ErrorStats.Estimates::sse), scale, fpc, 0, Double.POSITIVE_INFINITY),
                interval(all.rmse(), values(est, ErrorStats.Estimates::rmse), scale, fpc, 0, Double.POSITIVE_INFINITY),
                interval(all.relativeRmse(), values(est, ErrorStats.Estimates::relativeRmse), scale, fpc, 0, Double.POSITIVE_INFINITY),
                interval(all.snrDb(), values(est, ErrorStats.Estimates::snrDb), scale, fpc, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
                interval(all.cosine(), values(est, ErrorStats.Estimates::cosine), scale, fpc, -1, 1),
                interval(p50, q50, scale, fpc, 0, Double.POSITIVE_INFINITY),
                interval(p95, q95, scale, fpc, 0, Double.POSITIVE_INFINITY),
                interval(p99, q99, scale, fpc, 0, Double.POSITIVE_INFINITY));
    }

    private static double[] values(ErrorStats.Estimates[] est, ToDoubleFunction<ErrorStats.Estimates> f) {
        double[] v = new double[est.length];
        for (int i = 0; i < est.length; i++) {
            v[i] = f.applyAsDouble(est[i]);
        }
        return v;
    }

    /** {@code θ ± t √((1-f) Σ(θ_g - θ̄)² / (G(G-1)))}, clipped to [lo, hi]; null when anything is not finite. */
    static Interval interval(double theta, double[] perGroup, double t, double fpc, double lo, double hi) {
        int g = perGroup.length;
        double mean = 0;
        for (double v : perGroup) {
            if (!Double.isFinite(v)) {
                return null;
            }
            mean += v;
        }
        mean /= g;
        double ss = 0;
        for (double v : perGroup) {
            ss += (v - mean) * (v - mean);
        }
        double half = t * Math.sqrt(fpc * ss / ((double) g * (g - 1)));
        if (!Double.isFinite(theta) || !Double.isFinite(half)) {
            return null;
        }
        return new Interval(Math.max(lo, theta - half), Math.min(hi, theta + half));
    }
}
