package dev.gguflens.sim;

/**
 * 95% confidence intervals of the estimates in an {@link ErrorStats} made from a sample of blocks (see
 * {@link Sampling} for the method). An interval is null where it cannot be computed: fewer than two
 * random groups hold sampled values, or a group's estimate is not finite (e.g. an SNR with no error).
 * The maximum has none: a sample's maximum is only a lower bound of the tensor's.
 */
public record ErrorIntervals(Interval sse, Interval rmse, Interval relativeRmse, Interval snrDb, Interval cosine,
                             Interval p50, Interval p95, Interval p99) {
}
