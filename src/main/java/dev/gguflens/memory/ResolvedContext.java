package dev.gguflens.memory;

import dev.gguflens.gguf.GgmlType;

/**
 * A context as llama.cpp sets it up from the options: {@code llama_init_from_model}'s checks and the
 * {@code llama_context} constructor's arithmetic ({@code src/llama-context.cpp}).
 *
 * <ul>
 * <li>{@code n_ctx}: the option, or the model's {@code context_length} when 0; then padded to a multiple of 256.</li>
 * <li>{@code n_batch = min(n_ctx, n_batch)} (causal attention, before the padding); {@code n_ubatch = min(n_batch, n_ubatch)}.</li>
 * <li>Streams: one cache stream per sequence ({@code n_seq_max}), or one with {@code kv_unified}. Each stream holds
 *     {@code n_ctx_seq = PAD(n_ctx / n_seq_max, 256)} cells and {@code n_ctx} becomes {@code n_ctx_seq * n_seq_max}
 *     (so 512 tokens over 4 sequences are 4 x 256 cells); unified: {@code n_ctx_seq = n_ctx}.</li>
 * <li>Flash attention: {@code auto} resolves to on, as llama.cpp's probe finds on the CPU backend (a quantized V
 *     cache also turns {@code auto} on); grok forces it off.</li>
 * </ul>
 *
 * @param ctx            {@code n_ctx} after padding and the stream rounding
 * @param ctxFromModel   whether the context came from the model's {@code context_length} (the option was 0)
 * @param ctxPerSequence {@code n_ctx_seq}: cells per stream
 * @param streams        KV cache streams
 * @param sequences      {@code n_seq_max}
 * @param batch          {@code n_batch} after clamping
 * @param ubatch         {@code n_ubatch} after clamping
 * @param flashAttention whether flash attention is on
 * @param kvUnified      one stream for every sequence
 * @param swaFull        full-size sliding-window caches
 * @param typeK          the K cache type
 * @param typeV          the V cache type
 */
public record ResolvedContext(long ctx, boolean ctxFromModel, long ctxPerSequence, int streams, int sequences, long batch, long ubatch,
                              boolean flashAttention, boolean kvUnified, boolean swaFull, GgmlType typeK, GgmlType typeV) {

    /** {@code LLAMA_MAX_SEQ} in {@code src/llama-cparams.h}. */
    static final int MAX_SEQUENCES = 256;
    /** llama.cpp pads every context and stream to 256 cells (pull request 17046). */
    static final long PAD = 256;

    /** Tokens in the worst-case graph the compute buffer is reserved for: {@code min(n_ctx, n_ubatch)}. */
    public long graphTokens() {
        return Math.min(ctx, ubatch);
    }

    /**
     * Sets up the context, or throws {@link ContextRefusal} with llama.cpp's own message where it would refuse
     * ({@code llama_init_from_model}'s checks, in its order, then the constructor's).
     */
    static ResolvedContext resolve(ModelDims m, ContextOptions o) throws ContextRefusal {
        if (o.ctx() == 0 && m.contextLength() == 0) {
            throw new ContextRefusal("n_ctx and model->hparams.n_ctx_train cannot both be zero");
        }
        ContextOptions.FlashAttention asked = o.flashAttention();
        if (m.architecture().equals("grok")) {
            asked = ContextOptions.FlashAttention.OFF; // "flash_attn is not compatible with Grok - forcing off"
        }
        GgmlType k = o.typeK();
        GgmlType v = o.typeV();
        if ((m.mla() != null || m.architecture().equals("deepseek4")) && !k.equals(v)) {
            throw new ContextRefusal("model does not support different K (" + k.ggmlName() + ") and V (" + v.ggmlName() + ") cache types");
        }
        if (v.quantized() && asked == ContextOptions.FlashAttention.OFF) {
            throw new ContextRefusal("quantized V cache requires flash_attn to be enabled");
        }
        boolean fa = asked != ContextOptions.FlashAttention.OFF;
        if (fa) {
            checkHeadBlocks(m, k, true);
            checkHeadBlocks(m, v, false);
        }
        if (o.parallel() > MAX_SEQUENCES) {
            throw new ContextRefusal("n_seq_max must be <= " + MAX_SEQUENCES);
        }
        long requested = o.ctx() == 0 ? m.contextLength() : o.ctx();
        long batch = Math.min(requested, o.batch());
        long ubatch = Math.min(batch, o.ubatch());
        long ctx = pad(requested);
        long perSeq;
        int streams;
        if (o.kvUnified()) {
            perSeq = ctx;
            streams = 1;
        } else {
            perSeq = pad(ctx / o.parallel());
            if (perSeq == 0) {
                throw new ContextRefusal("n_ctx_seq == 0");
            }
            ctx = perSeq * o.parallel();
            streams = o.parallel();
        }
        return new ResolvedContext(ctx, o.ctx() == 0, perSeq, streams, o.parallel(), batch, ubatch, fa, o.kvUnified(), o.swaFull(), k, v);
    }

    /** A quantized cache type with flash attention needs every head to hold whole blocks. */
    private static void checkHeadBlocks(ModelDims m, GgmlType t, boolean isK) throws ContextRefusal {
        if (!t.quantized()) {
            return;
        }
        for (int il = 0; il < m.trunkLayers(); il++) {
            long head = isK ? (m.isSwa(il) ? m.headDimKSwa() : m.headDimK()) : (m.isSwa(il) ? m.headDimVSwa() : m.headDimV());
            if (head % t.blockSize() != 0) {
                throw new ContextRefusal((isK ? "K" : "V") + " cache type " + t.ggmlName() + " with block size " + t.blockSize()
                        + " does not divide n_embd_head_" + (isK ? "k" : "v") + "=" + head);
            }
        }
    }

    private static long pad(long n) {
        return (n + PAD - 1) / PAD * PAD;
    }
}
