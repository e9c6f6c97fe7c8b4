package dev.gguflens.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The compute buffer's phases (ComputeBuffer's javadoc) worked out by hand for real model shapes. */
class ComputeBufferTest {

    private static ModelDims llama70b() throws Exception {
        return Hparams.transformer("llama", 131072, 8192, 80, 64, 8, 28672, 128256).u32("rope.dimension_count", 128).dims();
    }

    @Test
    void aLargeVocabularyPeaksAtTheLogits() throws Exception {
        ContextMemory m = ContextMemory.of(llama70b(), ContextOptions.defaults().withCtx(8192));
        long e = 8192L * 512 * 4; // one f32 activation row set of 512 tokens
        // output phase: inp_embd, output ids, final norm, logits of 128,256 tokens for 512 outputs
        long output = e + 512 * 4 + e + 128256L * 512 * 4;
        // feed-forward phase: inputs (ids, inp_embd, positions, K/V indices, an f16 mask of 8192 x 512, output ids),
        // two rows of holes, the residual, gate, up and activation of 28,672
        long inputs = 512 * 4 + e + 512 * 4 + 512 * 8 + 512 * 8 + 8192L * 512 * 2 + 512 * 4;
        long ffn = 3 * e + 3 * 28672L * 512 * 4;
        assertTrue(output > inputs + ffn);
        assertEquals(output, m.compute().bytes());
        assertEquals(296_224_768L, m.compute().bytes());
        assertFalse(m.compute().lowerBound());
    }

    @Test
    void withoutFlashAttentionTheScoresGrowWithTheContext() throws Exception {
        ContextMemory m = ContextMemory.of(llama70b(), ContextOptions.defaults().withCtx(32768)
                .withFlashAttention(ContextOptions.FlashAttention.OFF));
        long e = 8192L * 512 * 4;
        long q = 64L * 128 * 512 * 4;
        // inputs with an f32 mask and the transposed V's indices (512 x 1024 values x 8 bytes)
        long inputs = 512 * 4 + e + 512 * 4 + 512 * 8 + 512 * 1024 * 8 + 32768L * 512 * 4 + 512 * 4;
        // norm, residual, the query before and after RoPE, and the scores of 64 heads over 32,768 cells
        long attention = 2 * e + 2 * q + 32768L * 512 * 64 * 4;
        assertEquals(inputs + attention, m.compute().bytes());
    }

    @Test
    void theUbatchScalesTheBuffer() throws Exception {
        ModelDims d = llama70b();
        long at512 = ContextMemory.of(d, ContextOptions.defaults().withCtx(8192)).compute().bytes();
        long at128 = ContextMemory.of(d, ContextOptions.defaults().withCtx(8192).withBatch(2048, 128)).compute().bytes();
        // every term is per token (the logits phase) and aligned to 32 bytes already
        assertEquals(at512, 4 * at128);
    }
}
