package dev.gguflens.memory;

/**
 * The recurrent state llama.cpp allocates for a context ({@code llama_memory_recurrent}'s constructor,
 * {@code src/llama-memory-recurrent.cpp}): per recurrent layer of {@code n_layer()}, an F32 tensor
 * {@code cache_r_l*} of {@code [n_embd_r(), mem_size]} and one {@code cache_s_l*} of {@code [n_embd_s(), mem_size]},
 * where {@code mem_size = max(1, n_seq_max)} ({@code llama_model::create_memory}): one state per sequence, however
 * long the context, and whatever the cache types or flash attention. Each tensor is padded to 32 bytes.
 *
 * @param cells   {@code mem_size}: states (sequences)
 * @param layers  layers keeping a state
 * @param rBytes  bytes of every {@code cache_r_l*}
 * @param sBytes  bytes of every {@code cache_s_l*}
 */
public record RecurrentState(long cells, int layers, long rBytes, long sBytes) {

    public long bytes() {
        return rBytes + sBytes;
    }

    static RecurrentState of(ModelDims m, ResolvedContext c) {
        long cells = Math.max(1, c.sequences());
        RecurrentDims d = m.recurrent();
        long r = 0;
        long s = 0;
        int layers = 0;
        for (int il = 0; il < m.trunkLayers(); il++) {
            if (!m.recurrentLayers()[il] || d == null) {
                continue;
            }
            layers++;
            r += align(Math.multiplyExact(d.rowR() * 4, cells));
            s += align(Math.multiplyExact(d.rowS() * 4, cells));
        }
        return new RecurrentState(cells, layers, r, s);
    }

    private static long align(long bytes) {
        return (bytes + KvCache.ALIGNMENT - 1) / KvCache.ALIGNMENT * KvCache.ALIGNMENT;
    }
}
