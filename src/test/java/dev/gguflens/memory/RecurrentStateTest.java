package dev.gguflens.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import org.junit.jupiter.api.Test;

/**
 * Recurrent states worked out by hand from llama-hparams.cpp's n_embd_r/n_embd_s and llama-memory-recurrent.cpp
 * (one F32 row of each per layer and sequence). Mamba's figure is also llama.cpp's measured one
 * (MeasuredContextsTest); the others are unverified and say so.
 */
class RecurrentStateTest {

    @Test
    void rwkv6KeepsTokenShiftAndWkvStates() throws Exception {
        ModelDims d = Hparams.of("rwkv6").u32("context_length", 1048576).u32("embedding_length", 2048).u32("block_count", 24)
                .u32("wkv.head_size", 64).vocab(65536).dims();
        ContextMemory m = ContextMemory.of(d, ContextOptions.defaults().withParallel(2, false));
        // r: token_shift_count 2 x 2048; s: 2048 x 64; F32; 2 sequences; 24 layers
        assertEquals(24L * 2 * 2048 * 4 * 2, m.recurrent().rBytes());
        assertEquals(24L * 2048 * 64 * 4 * 2, m.recurrent().sBytes());
        assertEquals(0, m.kv().bytes());
        // not measured: the output says so, and the compute figure is a lower bound
        assertTrue(m.notes().stream().anyMatch(n -> n.startsWith("unverified")), m.notes().toString());
        assertTrue(m.compute().lowerBound());
    }

    @Test
    void mamba2GroupsWidenTheConvolutionState() throws Exception {
        ModelDims d = Hparams.of("mamba2").u32("context_length", 1048576).u32("embedding_length", 2560).u32("block_count", 64)
                .u32("ssm.conv_kernel", 4).u32("ssm.inner_size", 5120).u32("ssm.state_size", 128).u32("ssm.group_count", 1)
                .u32("ssm.time_step_rank", 80).vocab(50288).dims();
        ContextMemory m = ContextMemory.of(d, ContextOptions.defaults());
        // r: (4 - 1) x (5120 + 2 x 1 x 128); s: 128 x 5120
        assertEquals(64L * 3 * (5120 + 256) * 4, m.recurrent().rBytes());
        assertEquals(64L * 128 * 5120 * 4, m.recurrent().sBytes());
    }

    @Test
    void cacheTypesAndContextDoNotChangeTheState() throws Exception {
        ModelDims d = ModelDims.of(ProbePresets.metadata("custom:arch=mamba,F=16,ctx=1048576"), java.util.List.of());
        ContextMemory a = ContextMemory.of(d, ContextOptions.defaults().withCtx(512));
        ContextMemory b = ContextMemory.of(d, ContextOptions.defaults().withCtx(65536).withCacheTypes(GgmlType.Q8_0, GgmlType.Q8_0));
        assertEquals(a.cacheBytes(), b.cacheBytes());
    }

    @Test
    void jambaSplitsLayersByKvHeads() throws Exception {
        // a layer without KV heads is a Mamba layer; the others attend
        ModelDims d = Hparams.of("jamba").u32("context_length", 262144).u32("embedding_length", 4096).u32("block_count", 4)
                .u32("attention.head_count", 32).array("attention.head_count_kv", 0, 0, 0, 8).u32("feed_forward_length", 14336)
                .u32("ssm.conv_kernel", 4).u32("ssm.inner_size", 8192).u32("ssm.state_size", 16).u32("ssm.time_step_rank", 256)
                .vocab(65536).dims();
        assertEquals(ModelDims.Memory.HYBRID, d.memory());
        assertEquals(3, d.recurrentLayerCount());
        assertEquals(1, d.cacheLayerCount());
        assertFalse(d.cacheLayers()[0]);
        ContextMemory m = ContextMemory.of(d, ContextOptions.defaults().withCtx(8192));
        assertEquals(3L * 3 * 8192 * 4, m.recurrent().rBytes());
        assertEquals(3L * 16 * 8192 * 4, m.recurrent().sBytes());
        // one attention layer: 8 heads of 4096 / 32 = 128
        assertEquals(8L * 128 * 2 * 8192, m.kv().kBytes());
    }

    @Test
    void qwen3nextAttendsEveryFourthLayer() throws Exception {
        ModelDims d = Hparams.of("qwen3next").u32("context_length", 262144).u32("embedding_length", 2048).u32("block_count", 8)
                .u32("attention.head_count", 16).u32("attention.head_count_kv", 2).u32("attention.key_length", 256)
                .u32("attention.value_length", 256).u32("feed_forward_length", 5120).u32("full_attention_interval", 4)
                .u32("ssm.conv_kernel", 4).u32("ssm.inner_size", 4096).u32("ssm.state_size", 128).u32("ssm.group_count", 16)
                .vocab(151936).dims();
        // layers 3 and 7 attend; the other six are recurrent
        assertEquals(2, d.cacheLayerCount());
        assertTrue(d.cacheLayers()[3]);
        assertEquals(6, d.recurrentLayerCount());
        ContextMemory m = ContextMemory.of(d, ContextOptions.defaults().withCtx(4096));
        assertEquals(6L * 3 * (4096 + 2 * 16 * 128) * 4, m.recurrent().rBytes());
        assertEquals(2L * 2 * 256 * 2 * 4096, m.kv().kBytes());
    }
}
