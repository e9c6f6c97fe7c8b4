package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TensorRoleTest {

    @Test
    void rolesFromLlamaCppNames() {
        assertEquals(TensorRole.TOKEN_EMBEDDING, TensorRole.of("token_embd.weight"));
        assertEquals(TensorRole.OUTPUT, TensorRole.of("output.weight"));
        assertEquals(TensorRole.OTHER, TensorRole.of("output_norm.weight"));
        assertEquals(TensorRole.ATTN_Q, TensorRole.of("blk.0.attn_q.weight"));
        assertEquals(TensorRole.ATTN_K, TensorRole.of("blk.12.attn_k.weight"));
        assertEquals(TensorRole.ATTN_V, TensorRole.of("blk.3.attn_v.weight"));
        assertEquals(TensorRole.ATTN_OUTPUT, TensorRole.of("blk.3.attn_output.weight"));
        assertEquals(TensorRole.FFN_UP, TensorRole.of("blk.1.ffn_up.weight"));
        assertEquals(TensorRole.FFN_UP, TensorRole.of("blk.1.ffn_up_exps.weight"));
        assertEquals(TensorRole.FFN_GATE, TensorRole.of("blk.1.ffn_gate_shexp.weight"));
        assertEquals(TensorRole.FFN_DOWN, TensorRole.of("blk.1.ffn_down.weight"));
        assertEquals(TensorRole.OTHER, TensorRole.of("blk.1.attn_norm.weight"));
        assertEquals(TensorRole.OTHER, TensorRole.of("blk.1.attn_qkv.weight"));
        assertEquals(TensorRole.OTHER, TensorRole.of("blk.1.attn_q.bias"));
        assertEquals(TensorRole.OTHER, TensorRole.of("blk.1.ffn_gate_inp.weight"));
    }

    @Test
    void layers() {
        assertEquals(0, TensorRole.layerOf("blk.0.attn_q.weight"));
        assertEquals(47, TensorRole.layerOf("blk.47.ffn_down.weight"));
        assertEquals(-1, TensorRole.layerOf("token_embd.weight"));
        assertEquals(-1, TensorRole.layerOf("blk.x.attn_q.weight"));
        assertEquals(-1, TensorRole.layerOf("blk..attn_q.weight"));
        assertEquals(-1, TensorRole.layerOf("blk.1234567890.attn_q.weight"));
    }
}
