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
     * quantizing it, small enough that a few chunks per thread in flight stay a few MiB of heap (the file writer's
     * chunks hold their values and their encoded bytes).
     */
    public static final int DEFAULT_CHUNK_ELEMENTS = 1 << 18;
    /**
     * 1 Mi values: the error engine's chunks ({@link #forErrors}). Its workers hold a piece of a chunk at a time and
     * hand back only sums, so a chunk's size costs no memory there, and every hand-over wakes a thread: on a 1 GB
     * model, 1,900 chunks of the default size cost 0.15-0.2 s of CPU more than 470 of these (bench/README.md).
     */
    public static final int ERROR_CHUNK_ELEMENTS = 1 << 20;

    public PipelineSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (chunkElements < 1) {
            throw new IllegalArgumentException("chunkElements must be at least 1, got " + chunkElements);
        }
    }

    public static PipelineSettings withThreads(int threads) {
        return new PipelineSettings(threads, DEFAULT_CHUNK_ELEMENTS);
    }

    /** The error engine's settings: {@code threads} threads (null: one per available processor), its chunks. */
    public static PipelineSettings forErrors(Integer threads) {
        return new PipelineSettings(threads == null ? Runtime.getRuntime().availableProcessors() : threads,
                ERROR_CHUNK_ELEMENTS);
    }

    public PipelineSettings withChunkElements(int elements) {
        return new PipelineSettings(threads, elements);
    }
}
