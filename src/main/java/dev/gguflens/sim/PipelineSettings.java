package dev.gguflens.sim;

/**
 * How the row pipeline runs: worker threads, and the size of the chunks it hands them.
 *
 * @param threads       worker threads (at least 1)
 * @param chunkElements the target number of values per chunk; a chunk is a whole number of rows, so a
 *                      row longer than this is a chunk by itself. Chunking never changes a quantized
 *                      byte (blocks are independent); it changes error sums only by the order of
 *                      additions (see {@link ErrorEngine}). It does not depend on {@code threads}, so
 *                      results are the same on every machine.
 */
public record PipelineSettings(int threads, int chunkElements) {
    /**
     * 256 Ki values: 1 MiB of f32 per chunk. Large enough that handing a chunk over costs nothing next to
     * quantizing it, small enough that a few chunks per thread in flight stay a few MiB of heap.
     */
    public static final int DEFAULT_CHUNK_ELEMENTS = 1 << 18;

    public PipelineSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (chunkElements < 1) {
            throw new IllegalArgumentException("chunkElements must be at least 1, got " + chunkElements);
        }
    }

    /** One thread per available processor, default chunks. */
    public static PipelineSettings defaults() {
        return withThreads(Runtime.getRuntime().availableProcessors());
    }

    public static PipelineSettings withThreads(int threads) {
        return new PipelineSettings(threads, DEFAULT_CHUNK_ELEMENTS);
    }

    public PipelineSettings withChunkElements(int elements) {
        return new PipelineSettings(threads, elements);
    }
}
