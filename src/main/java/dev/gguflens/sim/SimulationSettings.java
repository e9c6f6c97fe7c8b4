package dev.gguflens.sim;

/**
 * How the error engine runs.
 *
 * @param pipeline threads and chunk size
 * @param sampling a sample of blocks ({@code --sample}), or null to measure every block
 * @param detail   what the results hold
 */
public record SimulationSettings(PipelineSettings pipeline, Sampling sampling, Detail detail) {

    /** What the engine measures. The figures it measures are the same, to the bit, whatever the detail. */
    public enum Detail {
        /** Every figure, per tensor, per role, per layer and for the model: what {@code simulate} reports. */
        FULL,
        /**
         * Every figure but the percentiles, per tensor and for the model only (no per-role or per-layer figures): what
         * {@code fit} compares. No |error| histogram is kept, so the percentiles of what was measured are NaN, without
         * an interval (a tensor kept as it is still has its exact zeros). With a sample, FULL keeps a histogram per
         * random group, per tensor and per pool; across the dozens of file types of a {@code fit} they were most of the
         * memory the run allocated, and the collector's pauses copying them a fifth of its time.
         */
        SUMS
    }

    public SimulationSettings {
        if (pipeline == null || detail == null) {
            throw new IllegalArgumentException("pipeline and detail are required");
        }
    }

    /** Every figure. */
    public SimulationSettings(PipelineSettings pipeline, Sampling sampling) {
        this(pipeline, sampling, Detail.FULL);
    }

    public SimulationSettings withSampling(Sampling s) {
        return new SimulationSettings(pipeline, s, detail);
    }

    public SimulationSettings withDetail(Detail d) {
        return new SimulationSettings(pipeline, sampling, d);
    }
}
