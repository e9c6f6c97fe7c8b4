package dev.gguflens.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import org.junit.jupiter.api.Test;

/** KV caches of real model shapes, worked out by hand from llama-kv-cache.cpp's tensor shapes. */
class KvCacheTest {
    private static final ContextOptions DEFAULTS = ContextOptions.defaults();

    /** Llama-3-70B: 80 layers, 8 KV heads of 128. */
    private static ModelDims llama70b() throws Exception {
        return Hparams.transformer("llama", 131072, 8192, 80, 64, 8, 28672, 128256).u32("rope.dimension_count", 128).dims();
    }

    @Test
    void llama70bAt8kIsTwoAndAHalfGibInF16() throws Exception {
        ContextMemory m = ContextMemory.of(llama70b(), DEFAULTS.withCtx(8192));
        // K: 80 layers x (8 x 128 values x 2 bytes) x 8192 cells; V the same
        assertEquals(80L * 8 * 128 * 2 * 8192, m.kv().kBytes());
        assertEquals(80L * 8 * 128 * 2 * 8192, m.kv().vBytes());
        assertEquals(2_684_354_560L, m.kv().bytes());
        // one sequence of logits: 128,256 x 4 bytes
        assertEquals(513_024, m.output());
    }

    @Test
    void q8_0AndQ4_0RowsAreBlocksOf32() throws Exception {
        ModelDims d = llama70b();
        ContextMemory q8 = ContextMemory.of(d, DEFAULTS.withCtx(8192).withCacheTypes(GgmlType.Q8_0, GgmlType.Q8_0));
        // a row of 1024 values: 32 blocks of 34 bytes
        assertEquals(80L * 1088 * 8192, q8.kv().kBytes());
        ContextMemory q4 = ContextMemory.of(d, DEFAULTS.withCtx(8192).withCacheTypes(GgmlType.Q4_0, GgmlType.Q4_0));
        // 32 blocks of 18 bytes
        assertEquals(80L * 576 * 8192, q4.kv().vBytes());
    }

    @Test
    void contextComesFromTheModelAndIsPaddedTo256() throws Exception {
        ModelDims d = llama70b();
        ContextMemory fromModel = ContextMemory.of(d, DEFAULTS);
        assertEquals(131072, fromModel.context().ctx());
        assertTrue(fromModel.context().ctxFromModel());
        ContextMemory odd = ContextMemory.of(d, DEFAULTS.withCtx(1000));
        assertEquals(1024, odd.context().ctx());
        // n_batch is clamped to the context asked for, before padding
        assertEquals(1000, odd.context().batch());
        assertEquals(512, odd.context().ubatch());
        assertEquals(80L * 8 * 128 * 2 * 1024, odd.kv().kBytes());
    }

    @Test
    void sequencesGetAStreamEachUnlessUnified() throws Exception {
        ModelDims d = llama70b();
        // 1000 tokens over 3 sequences: n_ctx 1024, PAD(1024 / 3 = 341, 256) = 512 cells per stream, n_ctx 1536
        ContextMemory three = ContextMemory.of(d, DEFAULTS.withCtx(1000).withParallel(3, false));
        assertEquals(512, three.context().ctxPerSequence());
        assertEquals(1536, three.context().ctx());
        assertEquals(3, three.kv().streams());
        assertEquals(80L * 8 * 128 * 2 * 512 * 3, three.kv().kBytes());
        ContextMemory unified = ContextMemory.of(d, DEFAULTS.withCtx(1000).withParallel(3, true));
        assertEquals(1024, unified.context().ctxPerSequence());
        assertEquals(1, unified.kv().streams());
        assertEquals(80L * 8 * 128 * 2 * 1024, unified.kv().kBytes());
        // one row of logits per sequence
        assertEquals(128256L * 3 * 4, unified.output());
    }

    @Test
    void layersWithoutKvHeadsHoldNothing() throws Exception {
        // a per-layer array: layers 1 and 3 have no attention (as in Nemotron-NAS style models)
        ModelDims d = Hparams.of("deci").u32("context_length", 4096).u32("embedding_length", 1024).u32("block_count", 4)
                .u32("attention.head_count", 8).array("attention.head_count_kv", 2, 0, 4, 0).u32("feed_forward_length", 4096)
                .vocab(1000).dims();
        ContextMemory m = ContextMemory.of(d, DEFAULTS.withCtx(4096));
        // head width 1024 / 8 = 128; layer 0: 2 heads, layer 2: 4 heads
        assertEquals((2 + 4) * 128L * 2 * 4096, m.kv().kBytes());
    }

    @Test
    void withoutFlashAttentionVIsTransposedAndPaddedToTheWidestLayer() throws Exception {
        ModelDims d = Hparams.of("deci").u32("context_length", 4096).u32("embedding_length", 1024).u32("block_count", 4)
                .u32("attention.head_count", 8).array("attention.head_count_kv", 2, 0, 4, 0).u32("feed_forward_length", 4096)
                .vocab(1000).dims();
        ContextMemory m = ContextMemory.of(d, DEFAULTS.withCtx(4096).withFlashAttention(ContextOptions.FlashAttention.OFF));
        // every layer's V tensor is n_embd_v_gqa_max = 4 x 128 wide, even a layer without KV heads
        // (llama-kv-cache.cpp, [TAG_V_CACHE_VARIABLE]: the layer still gets its tensors, K of width 0)
        assertEquals(4 * 512L * 2 * 4096, m.kv().vBytes());
        assertEquals((2 + 4) * 128L * 2 * 4096, m.kv().kBytes());
    }

    @Test
    void gemma2SlidesEveryOtherLayerOverAWindowSizedCache() throws Exception {
        // gemma2.cpp: every 2nd layer attends fully (layers 1, 3, ...), the others over 4096 tokens
        ModelDims d = Hparams.transformer("gemma2", 8192, 2304, 26, 8, 4, 9216, 256000).u32("attention.key_length", 256)
                .u32("attention.value_length", 256).u32("attention.sliding_window", 4096).dims();
        assertTrue(d.isSwa(0));
        assertFalse(d.isSwa(1));
        ContextMemory m = ContextMemory.of(d, DEFAULTS.withCtx(32768));
        // window cells: PAD(min(32768, 4096 + 512), 256) = 4608
        assertEquals(4608, m.kv().swaCells());
        assertEquals(13, m.kv().swaLayers());
        assertEquals(13, m.kv().layers());
        long row = 4 * 256 * 2;
        assertEquals(13 * row * 32768 + 13 * row * 4608, m.kv().kBytes());
        ContextMemory full = ContextMemory.of(d, DEFAULTS.withCtx(32768).withSwaFull(true));
        assertEquals(26 * row * 32768, full.kv().kBytes());
    }

    @Test
    void theWindowCacheHoldsAWindowPerSequenceWhenUnified() throws Exception {
        ModelDims d = Hparams.transformer("gemma3", 131072, 2560, 34, 8, 4, 10240, 262144).u32("attention.key_length", 256)
                .u32("attention.value_length", 256).u32("attention.sliding_window", 1024).dims();
        // gemma3.cpp: every 6th layer full: layers 5, 11, 17, 23, 29 of 34
        assertEquals(29, d.swa().count());
        ContextMemory unified = ContextMemory.of(d, DEFAULTS.withCtx(65536).withParallel(4, true));
        // PAD(min(65536, 1024 x 4 + 512), 256) = 4608
        assertEquals(4608, unified.kv().swaCells());
        ContextMemory streams = ContextMemory.of(d, DEFAULTS.withCtx(65536).withParallel(4, false));
        // per stream: 16384 cells, window PAD(1024 + 512, 256) = 1536
        assertEquals(16384, streams.kv().cells());
        assertEquals(1536, streams.kv().swaCells());
        assertEquals(29L * 4 * 256 * 2 * 1536 * 4 + 5L * 4 * 256 * 2 * 16384 * 4, streams.kv().kBytes());
    }

    @Test
    void theFlagsArrayOverridesAnArchitecturesPattern() throws Exception {
        ModelDims d = Hparams.transformer("gemma3", 8192, 256, 4, 4, 2, 512, 512).u32("attention.sliding_window", 512)
                .flags("attention.sliding_window_pattern", true, false, false, true).dims();
        assertTrue(d.isSwa(0));
        assertFalse(d.isSwa(1));
        assertTrue(d.isSwa(3));
        assertEquals(2, d.swa().count());
    }

    @Test
    void llama4ChunksOver8192TokensWhateverTheKeySays() throws Exception {
        ModelDims d = Hparams.transformer("llama4", 1048576, 5120, 48, 40, 8, 16384, 202048).u32("attention.sliding_window", 4096)
                .dims();
        assertEquals(SlidingWindow.Kind.CHUNKED, d.swa().kind());
        assertEquals(8192, d.swa().window());
        // 3 chunked : 1 full
        assertEquals(36, d.swa().count());
        ContextMemory m = ContextMemory.of(d, DEFAULTS.withCtx(32768));
        assertEquals(8704, m.kv().swaCells());
        ModelDims off = Hparams.transformer("llama4", 1048576, 5120, 48, 40, 8, 16384, 202048).u32("attention.sliding_window", 0).dims();
        assertEquals(ModelDims.Memory.KV_CACHE, off.memory());
    }

    @Test
    void nextnLayersAreLeftOutOfTheMainContext() throws Exception {
        ModelDims d = Hparams.transformer("glm4moe", 131072, 4096, 47, 96, 8, 10944, 151552).u32("attention.key_length", 128)
                .u32("attention.value_length", 128).u32("nextn_predict_layers", 1).dims();
        assertEquals(46, d.cacheLayerCount());
        assertEquals(46L * 8 * 128 * 2 * 4096, ContextMemory.of(d, DEFAULTS.withCtx(4096)).kv().kBytes());
    }

    @Test
    void gemma3nLayersPast20ShareEarlierCaches() throws Exception {
        ModelDims d = Hparams.transformer("gemma3n", 32768, 2048, 30, 8, 2, 8192, 262144).u32("attention.key_length", 256)
                .u32("attention.value_length", 256).u32("attention.sliding_window", 512).dims();
        assertEquals(20, d.cacheLayerCount());
    }

    @Test
    void mlaKeepsOneCompressedRowAndNoV() throws Exception {
        // DeepSeek-V2-Lite as converted for MLA: key_length = kv_lora_rank 512 + n_rot 64, one "KV head"
        ModelDims d = Hparams.transformer("deepseek2", 163840, 2048, 27, 16, 1, 10944, 102400).u32("attention.key_length", 576)
                .u32("attention.value_length", 512).u32("attention.key_length_mla", 192).u32("attention.value_length_mla", 128)
                .u32("attention.kv_lora_rank", 512).u32("rope.dimension_count", 64).dims();
        ContextMemory m = ContextMemory.of(d, DEFAULTS.withCtx(4096));
        assertEquals(27L * 576 * 2 * 4096, m.kv().kBytes());
        assertEquals(0, m.kv().vBytes());
        // without the *_mla keys (an older conversion) the cache is a plain one of 16 heads
        ModelDims plain = Hparams.transformer("deepseek2", 163840, 2048, 27, 16, 16, 10944, 102400).u32("attention.key_length", 192)
                .u32("attention.value_length", 128).dims();
        ContextMemory p = ContextMemory.of(plain, DEFAULTS.withCtx(4096));
        assertEquals(27L * 16 * 192 * 2 * 4096, p.kv().kBytes());
        assertEquals(27L * 16 * 128 * 2 * 4096, p.kv().vBytes());
    }

    @Test
    void refusalsAreLlamaCppsOwnWords() throws Exception {
        ModelDims mla = Hparams.transformer("deepseek2", 163840, 2048, 27, 16, 1, 10944, 102400).u32("attention.key_length", 576)
                .u32("attention.value_length", 512).u32("attention.key_length_mla", 192).u32("attention.value_length_mla", 128)
                .u32("attention.kv_lora_rank", 512).dims();
        assertEquals("model does not support different K (f16) and V (q8_0) cache types",
                ContextMemory.of(mla, DEFAULTS.withCacheTypes(GgmlType.F16, GgmlType.Q8_0)).refusal());
        ModelDims llama = llama70b();
        assertEquals("quantized V cache requires flash_attn to be enabled", ContextMemory.of(llama,
                DEFAULTS.withCacheTypes(GgmlType.F16, GgmlType.Q4_0).withFlashAttention(ContextOptions.FlashAttention.OFF)).refusal());
        // auto turns flash attention on for a quantized V
        assertNull(ContextMemory.of(llama, DEFAULTS.withCacheTypes(GgmlType.F16, GgmlType.Q4_0)).refusal());
        // phi-2's heads are 80 wide: not a whole number of 32-value blocks
        ModelDims phi2 = Hparams.transformer("phi2", 2048, 2560, 32, 32, 32, 10240, 51200).dims();
        assertEquals("K cache type q4_0 with block size 32 does not divide n_embd_head_k=80",
                ContextMemory.of(phi2, DEFAULTS.withCacheTypes(GgmlType.Q4_0, GgmlType.F16)).refusal());
        ModelDims noContext = Hparams.of("llama").u32("embedding_length", 256).u32("block_count", 2).u32("attention.head_count", 4)
                .vocab(32).dims();
        assertEquals("n_ctx and model->hparams.n_ctx_train cannot both be zero", ContextMemory.of(noContext, DEFAULTS).refusal());
        assertNull(ContextMemory.of(noContext, DEFAULTS.withCtx(512)).refusal());
    }

    @Test
    void encodersHaveNoCache() throws Exception {
        ModelDims bert = Hparams.transformer("bert", 512, 768, 12, 12, 12, 3072, 30522).dims();
        ContextMemory m = ContextMemory.of(bert, DEFAULTS);
        assertEquals(0, m.cacheBytes());
        assertTrue(m.compute().lowerBound());
    }
}
