package dev.gguflens.memory;

import dev.gguflens.gguf.GgmlType;

/**
 * An estimate of llama.cpp's CPU compute buffer: the scheduler's buffer for the worst-case graph, reserved when
 * the context is created ({@code llama_context::sched_reserve}, {@code src/llama-context.cpp}) for
 * {@code n_tokens = min(n_ctx, n_ubatch)} tokens with every token an output ({@code n_outputs = n_tokens}).
 *
 * <p>The buffer is the high-water mark of ggml's graph allocator ({@code ggml/src/ggml-alloc.c}): it allocates
 * every graph input first (they stay until their last use), then each node in graph order, reusing a parent's
 * memory in place where the operation allows and freeing a tensor after its last consumer; a large tensor that
 * fits no freed block goes on top of everything still alive. The peak is therefore the inputs plus the largest
 * stack of tensors alive at one point of the graph, in one of four phases of a layer (sizes in bytes, {@code T}
 * the tokens, {@code E = n_embd x T x 4} one activation row set, all f32 unless said):
 *
 * <ul>
 * <li><b>inputs</b> ({@code llm_graph_context::build_inp_embd}, {@code build_attn_inp_kv}, {@code build_inp_out_ids}):
 *     token ids {@code T x 4}, the embedding input {@code inp_embd} {@code E}, positions {@code T x 4}, output ids
 *     {@code T x 4}; per attention cache (two with sliding-window layers) the K and V write indices ({@code T x 8}
 *     each; V's is {@code T x n_embd_v_gqa_max x 8} when V is stored transposed, without flash attention; MLA has
 *     no V), and the mask {@code attn_inp_kq_mask}: {@code cells x T}, f16 with flash attention, f32 without;
 *     plus the Hadamard rotation matrices of a quantized cache ({@code build_input_k_rot}); a recurrent model's
 *     state-copy ids.</li>
 * <li><b>feed-forward</b>: the residual {@code E} and the gate, up and activated rows {@code 3 x n_ff x T x 4}
 *     ({@code n_expert_used x n_ff_exp} for experts), over the freed rows of earlier layers that the n_ff-wide
 *     tensors cannot reuse: 2 {@code E} when {@code n_ff > 2 n_embd} or with experts (whose router tensors split
 *     the freed rows), 1 when {@code n_ff > n_embd} (read off the allocator's traces of the measured models). With a
 *     quantized K cache the rotated query and key change which rows are free: the figure is then up to 10% off
 *     either way (measured: -5% to +10%). In models of one or two layers the peak falls in the
 *     first or last layer, where fewer inputs are alive: there the estimate is high (by up to 45% in the
 *     measured one-layer model).</li>
 * <li><b>attention</b>: norm and residual {@code 2E}, the query before and after RoPE {@code 2 x n_head x
 *     n_embd_head_k x T x 4}; without flash attention the scores {@code kq}, {@code cells x T x n_head x 4}, on top
 *     (or in the two freed rows when it fits there). MLA ({@code deepseek2}): the query {@code n_head x key_length_mla},
 *     its absorbed part {@code n_head x kv_lora_rank}, the RoPE part {@code n_head x n_rot} and their concatenation,
 *     all {@code x T x 4}; without flash attention also the contiguous V {@code cells x kv_lora_rank} and the scores.</li>
 * <li><b>Mamba</b> layers ({@code build_mamba_layer}): {@code 2E}, the in-projection {@code 2 d_inner}, the
 *     convolution, {@code dt} and scan outputs {@code 3 d_inner} ({@code x T x 4}), {@code x_db}
 *     {@code (dt_rank + 2 d_state) x T x 4} and the final states {@code d_state x d_inner x n_seq x 4}.</li>
 * <li><b>output</b>: the inputs are freed by then except {@code inp_embd} and the output ids; the final norm {@code E}
 *     and the logits {@code n_vocab x T x 4}.</li>
 * </ul>
 *
 * <p>The estimate is the largest of inputs + feed-forward, inputs + attention, inputs + Mamba, and output. It was
 * checked against llama.cpp's own figures (the oracle's 667 context rows: llama with GQA and MHA, qwen2, gemma3
 * with sliding windows, deepseek2 with MLA and experts; within 6% on every one) and against gguflens' own
 * measurements of the same build (testdata/memory: wider shapes, Mixtral-style experts, Mamba; within 10% on every
 * model of three layers or more). Where a graph is not modelled (RWKV, Mamba-2, hybrids, special
 * caches, encoders) the figure is a lower bound: {@code inp_embd}, the final norm and the logits, which are alive
 * together in every graph with a language-model head.
 *
 * @param bytes      the estimate, or the lower bound
 * @param lowerBound whether {@code bytes} is only a lower bound
 */
public record ComputeBuffer(long bytes, boolean lowerBound) {

    private static final long F32 = 4;

    static ComputeBuffer of(ModelDims m, ResolvedContext c, KvCache kv) {
        long t = c.graphTokens();
        long e = m.embd() * t * F32;
        long logits = Math.multiplyExact(m.vocab() * t, F32);
        long output = align(e) + align(t * 4) + e + logits;
        boolean modelled = m.unmodelled() == null && (m.memory() == ModelDims.Memory.KV_CACHE
                || m.memory() == ModelDims.Memory.KV_CACHE_ISWA
                || (m.memory() == ModelDims.Memory.RECURRENT && m.architecture().equals("mamba")));
        if (!modelled) {
            return new ComputeBuffer(e + e + logits, true);
        }
        long inputs = align(t * 4) + align(e) + align(t * 4);
        long peak = output;
        if (m.memory() == ModelDims.Memory.RECURRENT) {
            RecurrentDims d = m.recurrent();
            inputs += align(c.sequences() * 4L);
            long mamba = 2 * e + 5 * d.dInner() * t * F32 + (d.dtRank() + 2 * d.dState()) * t * F32
                    + d.dState() * d.dInner() * c.sequences() * F32;
            return new ComputeBuffer(Math.max(peak, inputs + mamba), false);
        }
        inputs += align(t * 4); // positions
        inputs += cacheInputs(m, c, kv.cells(), false);
        if (kv.swaCells() > 0) {
            inputs += cacheInputs(m, c, kv.swaCells(), true);
        }
        long ffn = feedForward(m, t, e, m.maxFeedForward(), false);
        if (m.expertsUsed() > 0) {
            ffn = Math.max(ffn, feedForward(m, t, e, m.expertsUsed() * m.expertFeedForward(), true));
        }
        peak = Math.max(peak, inputs + ffn);
        peak = Math.max(peak, inputs + attention(m, c, t, e, Math.max(kv.cells(), kv.swaCells())));
        return new ComputeBuffer(peak, false);
    }

    /** One attention cache's graph inputs: write indices, the mask, and rotation matrices for quantized types. */
    private static long cacheInputs(ModelDims m, ResolvedContext c, long cells, boolean swaCache) {
        long t = c.graphTokens();
        long bytes = align(t * 8);
        if (m.mla() == null) {
            bytes += align(c.flashAttention() ? t * 8 : Math.multiplyExact(t * 8, m.vRowMax()));
        }
        bytes += align(Math.multiplyExact(cells * t, c.flashAttention() ? 2 : 4));
        bytes += rotationK(m, c, swaCache);
        long headV = m.mla() == null ? uniformHead(m, swaCache, false) : 0;
        if (c.typeV().quantized() && headV > 0 && headV % 64 == 0) {
            bytes += 64 * 64 * F32;
        }
        return bytes;
    }

    /**
     * llama_kv_cache's {@code attn_rot_k}: a quantized K cache whose layers share one head width, a multiple of 64,
     * gets a Hadamard rotation matrix of the largest power of two dividing it: its bytes, or 0 without one.
     */
    private static long rotationK(ModelDims m, ResolvedContext c, boolean swaCache) {
        long headK = uniformHead(m, swaCache, true);
        if (!c.typeK().quantized() || headK == 0 || headK % 64 != 0) {
            return 0;
        }
        long nrot = 64;
        while (headK % (nrot * 2) == 0) {
            nrot *= 2;
        }
        return nrot * nrot * F32;
    }

    /** The head width shared by every layer of one cache, or 0 when they differ. */
    private static long uniformHead(ModelDims m, boolean swaCache, boolean k) {
        long head = -1;
        for (int il = 0; il < m.layers(); il++) {
            if (!m.cacheLayers()[il] || (m.swa().any() && m.isSwa(il) != swaCache)) {
                continue;
            }
            long h = k ? (m.isSwa(il) ? m.headDimKSwa() : m.headDimK()) : (m.isSwa(il) ? m.headDimVSwa() : m.headDimV());
            if (head >= 0 && h != head) {
                return 0;
            }
            head = h;
        }
        return Math.max(head, 0);
    }

    private static long feedForward(ModelDims m, long t, long e, long ff, boolean experts) {
        // With experts the router's small tensors (logits, probabilities, order, weights) split the freed rows:
        // the expert tensors reuse none of them
        int holes = experts || ff > 2 * m.embd() ? 2 : ff > m.embd() ? 1 : 0;
        return holes * e + e + 3 * ff * t * F32;
    }

    private static long attention(ModelDims m, ResolvedContext c, long t, long e, long cells) {
        if (m.cacheLayerCount() == 0) {
            return 0;
        }
        long heads = m.maxHeads();
        long scores = Math.multiplyExact(Math.multiplyExact(cells * t, heads), F32);
        ModelDims.Mla mla = m.mla();
        if (mla != null) {
            long q = heads * mla.keyLengthMla() * t * F32;
            long absorbed = heads * mla.kvLoraRank() * t * F32;
            long ropePart = heads * m.rope() * t * F32;
            long joined = heads * (mla.kvLoraRank() + m.rope()) * t * F32;
            long stack = 2 * e + q + absorbed + ropePart + joined;
            if (!c.flashAttention()) {
                GgmlType k = c.typeK();
                stack += Math.multiplyExact(k.rowBytes(mla.kvLoraRank()), cells) + scores;
            }
            return stack;
        }
        long q = heads * m.headDimK() * t * F32;
        long stack = 2 * e + 2 * q;
        if (!c.flashAttention() && scores > e + q) {
            stack += scores;
        }
        return stack;
    }

    private static long align(long bytes) {
        return (bytes + KvCache.ALIGNMENT - 1) / KvCache.ALIGNMENT * KvCache.ALIGNMENT;
    }
}
