package dev.gguflens.memory;

import dev.gguflens.gguf.GgmlType;
import java.util.List;
import java.util.Objects;

/**
 * The llama.cpp context options that decide its memory, as its command-line tools take them
 * ({@code common_params} in {@code common/common.h}, passed to {@code llama_context_params} by
 * {@code common_context_params_to_llama}).
 *
 * @param ctx            {@code -c, --ctx-size}: the context in tokens; 0 for the model's {@code context_length}
 *                       ({@code common_params.n_ctx = 0}, which {@code llama_context} replaces with {@code n_ctx_train})
 * @param batch          {@code -b, --batch-size}: the logical batch ({@code n_batch}, default 2048)
 * @param ubatch         {@code -ub, --ubatch-size}: the physical batch ({@code n_ubatch}, default 512)
 * @param parallel       {@code -np, --parallel}: sequences decoded at once ({@code n_seq_max}, default 1)
 * @param kvUnified      {@code --kv-unified}: one cache shared by every sequence (default off)
 * @param swaFull        {@code --swa-full}: full-size caches for sliding-window layers ({@code common_params.swa_full},
 *                       default off; note the library's own {@code llama_context_default_params} default is on)
 * @param flashAttention {@code -fa, --flash-attn}: on, off or auto (default auto)
 * @param typeK          {@code -ctk, --cache-type-k} (default F16)
 * @param typeV          {@code -ctv, --cache-type-v} (default F16)
 */
public record ContextOptions(long ctx, long batch, long ubatch, int parallel, boolean kvUnified, boolean swaFull,
                             FlashAttention flashAttention, GgmlType typeK, GgmlType typeV) {

    /** {@code llama_flash_attn_type}. */
    public enum FlashAttention { ON, OFF, AUTO }

    /** The cache types llama.cpp's {@code --cache-type-k/-v} accept ({@code kv_cache_types} in {@code common/arg.cpp}). */
    public static final List<GgmlType> CACHE_TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.IQ4_NL, GgmlType.Q5_0, GgmlType.Q5_1);

    public ContextOptions {
        Objects.requireNonNull(flashAttention, "flashAttention");
        Objects.requireNonNull(typeK, "typeK");
        Objects.requireNonNull(typeV, "typeV");
        if (ctx < 0 || batch < 1 || ubatch < 1 || parallel < 1) {
            throw new IllegalArgumentException("ctx " + ctx + ", batch " + batch + ", ubatch " + ubatch + ", parallel " + parallel);
        }
    }

    /** llama.cpp's command-line defaults ({@code common_params}): the model's context, 2048/512, one sequence, f16 caches. */
    public static ContextOptions defaults() {
        return new ContextOptions(0, 2048, 512, 1, false, false, FlashAttention.AUTO, GgmlType.F16, GgmlType.F16);
    }

    public ContextOptions withCtx(long n) {
        return new ContextOptions(n, batch, ubatch, parallel, kvUnified, swaFull, flashAttention, typeK, typeV);
    }

    public ContextOptions withBatch(long b, long ub) {
        return new ContextOptions(ctx, b, ub, parallel, kvUnified, swaFull, flashAttention, typeK, typeV);
    }

    public ContextOptions withParallel(int n, boolean unified) {
        return new ContextOptions(ctx, batch, ubatch, n, unified, swaFull, flashAttention, typeK, typeV);
    }

    public ContextOptions withSwaFull(boolean full) {
        return new ContextOptions(ctx, batch, ubatch, parallel, kvUnified, full, flashAttention, typeK, typeV);
    }

    public ContextOptions withFlashAttention(FlashAttention fa) {
        return new ContextOptions(ctx, batch, ubatch, parallel, kvUnified, swaFull, fa, typeK, typeV);
    }

    public ContextOptions withCacheTypes(GgmlType k, GgmlType v) {
        return new ContextOptions(ctx, batch, ubatch, parallel, kvUnified, swaFull, flashAttention, k, v);
    }
}
