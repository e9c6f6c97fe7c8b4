package dev.gguflens.sim;

/**
 * How the error engine runs.
 *
 * @param pipeline threads and chunk size
 * @param sampling a sample of blocks ({@code --sample}), or null to measure every block
 */
public record SimulationSettings(PipelineSettings pipeline, Sampling sampling) {

    /** Every block, on every core. */
    public static SimulationSettings defaults() {
        return new SimulationSettings(PipelineSettings.defaults(), null);
    }

    public SimulationSettings withSampling(Sampling s) {
        return new SimulationSettings(pipeline, s);
    }
}
