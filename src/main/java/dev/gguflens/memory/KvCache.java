package dev.gguflens.memory;

import dev.gguflens.gguf.GgmlType;

/**
 * The KV cache llama.cpp allocates for a context, to the byte: the tensors {@code cache_k_l*} and
 * {@code cache_v_l*} of {@code llama_kv_cache} ({@code src/llama-kv-cache.cpp}, constructor), and of the two
 * caches of {@code llama_kv_cache_iswa} ({@code src/llama-kv-cache-iswa.cpp}) for models with sliding-window
 * layers.
 *
 * <p>Per layer with a cache, K is a {@code [n_embd_k_gqa(il), kv_size, n_stream]} tensor of the K type and V a
 * {@code [n_embd_v_gqa(il), kv_size, n_stream]} one of the V type, where {@code n_embd_k_gqa(il)} is the layer's
 * key head width times its KV heads ({@code llama-hparams.cpp}). So a layer holds
 * {@code row_bytes(type, width) x kv_size x n_stream} bytes per tensor, {@code row_bytes} being
 * {@code width / block x block bytes} ({@code ggml_row_size}: f16 1 value in 2 bytes, q8_0 32 in 34, q4_0 32 in 18).
 * Without flash attention V is stored transposed and every layer's V row is padded to the widest
 * ({@code n_embd_v_gqa_max}). With MLA ({@code hparams.is_mla()}) there is no V tensor: the graph reads V as
 * a view of the compressed K row.
 *
 * <p>{@code kv_size} is {@code n_ctx_seq}. The sliding-window cache instead holds
 * {@code PAD(min(n_ctx_seq, n_swa x (kv_unified ? n_seq_max : 1) + n_ubatch), 256)} cells per stream, or
 * {@code n_ctx_seq} with {@code swa_full}. Each tensor is padded to the CPU buffer's 32-byte alignment.
 *
 * @param cells     cells per stream of the full-attention cache
 * @param swaCells  cells per stream of the sliding-window cache (0 without sliding-window layers)
 * @param streams   streams (sequences, or 1 unified)
 * @param layers    layers in the full-attention cache
 * @param swaLayers layers in the sliding-window cache
 * @param kBytes    bytes of every K tensor
 * @param vBytes    bytes of every V tensor
 */
public record KvCache(long cells, long swaCells, int streams, int layers, int swaLayers, long kBytes, long vBytes) {

    /** The CPU buffer's alignment ({@code TENSOR_ALIGNMENT} of ggml's CPU backend). */
    static final long ALIGNMENT = 32;

    public long bytes() {
        return kBytes + vBytes;
    }

    /** The cache llama.cpp would allocate, or a refusal where ggml would abort on a row that holds no whole block. */
    static KvCache of(ModelDims m, ResolvedContext c) throws ContextRefusal {
        boolean iswa = m.swa().any();
        long cells = c.ctxPerSequence();
        long swaCells = 0;
        if (iswa) {
            // llama_kv_cache_iswa: "the SWA cache is always padded to 256 for performance"
            long window = m.swa().window() * (c.kvUnified() ? c.sequences() : 1) + c.ubatch();
            swaCells = c.swaFull() ? cells : pad256(Math.min(cells, window));
        }
        boolean vTrans = !c.flashAttention();
        long vMax = m.vRowMax();
        long k = 0;
        long v = 0;
        int full = 0;
        int swa = 0;
        for (int il = 0; il < m.layers(); il++) {
            if (!m.cacheLayers()[il]) {
                continue;
            }
            boolean isSwa = iswa && m.isSwa(il);
            long n = isSwa ? swaCells : cells;
            if (isSwa) {
                swa++;
            } else {
                full++;
            }
            k += tensorBytes(c.typeK(), m.kRow(il), n, c.streams(), "K", il);
            if (m.mla() == null) {
                v += tensorBytes(c.typeV(), vTrans ? vMax : m.vRow(il), n, c.streams(), "V", il);
            }
        }
        return new KvCache(cells, swaCells, c.streams(), full, swa, k, v);
    }

    private static long tensorBytes(GgmlType type, long row, long cells, int streams, String which, int il) throws ContextRefusal {
        if (row % type.blockSize() != 0) {
            // ggml_row_size asserts whole blocks: ggml aborts while creating the cache tensor
            throw new ContextRefusal("ggml aborts: layer " + il + "'s " + which + " row of " + row + " values is not a multiple of "
                    + type.blockSize() + ", the block size of " + type.ggmlName());
        }
        long bytes = Math.multiplyExact(Math.multiplyExact(type.rowBytes(row), cells), streams);
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static long pad256(long n) {
        return (n + ResolvedContext.PAD - 1) / ResolvedContext.PAD * ResolvedContext.PAD;
    }
}
