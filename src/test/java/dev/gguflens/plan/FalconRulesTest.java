package dev.gguflens.plan;

import static dev.gguflens.gguf.GgmlType.Q3_K;
import static dev.gguflens.gguf.GgmlType.Q4_K;
import static dev.gguflens.gguf.GgmlType.Q5_K;
import static dev.gguflens.gguf.GgmlType.Q6_K;
import static dev.gguflens.gguf.GgmlType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Falcon: 16 layers, fused QKV, 32 heads and 4 KV heads; falcon has its own branches in §5.1, §5.8 and §5.9. */
class FalconRulesTest {
    private static final int LAYERS = 16;
    /** use_more_bits(i, 16): i < 2, i >= 14, or (i - 2) % 3 == 2, so 0, 1, 4, 7, 10, 13, 14, 15. */
    private static final Set<Integer> MORE_BITS = Set.of(0, 1, 4, 7, 10, 13, 14, 15);

    @TempDir
    Path dir;

    static SyntheticModel model() {
        SyntheticModel m = SyntheticModel.of("falcon", LAYERS, 32, 4)
                .weight("token_embd.weight", 256, 1000)
                .norm("output_norm.weight", 256)
                .norm("output_norm.bias", 256)
                .weight("output.weight", 256, 1000);
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            m.norm(b + "attn_norm.weight", 256)
                    .norm(b + "attn_norm.bias", 256)
                    .weight(b + "attn_qkv.weight", 256, 512)
                    .weight(b + "attn_output.weight", 256, 256)
                    .weight(b + "ffn_up.weight", 256, 1024)
                    .weight(b + "ffn_down.weight", 1024, 256);
        }
        return m;
    }

    @Test
    void q4KM() throws Exception {
        Map<String, GgmlType> types = SyntheticModel.types(model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M)));
        assertEquals(Q8_0, types.get("output.weight"));       // 5.1 step 3: falcon
        assertEquals(Q4_K, types.get("token_embd.weight"));   // 5.3 step 5
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            // 5.8 Q4_K_M falcon: q6_K for i < 16/16 = 1; else q5_K when use_more_bits; else q4_K.
            GgmlType down = l < 1 ? Q6_K : MORE_BITS.contains(l) ? Q5_K : Q4_K;
            assertEquals(down, types.get(b + "ffn_down.weight"), b);
            assertEquals(MORE_BITS.contains(l) ? Q6_K : Q4_K, types.get(b + "attn_qkv.weight"), b); // 5.5, n_attention_wv = 16
            assertEquals(Q4_K, types.get(b + "attn_output.weight"), b);   // 5.9 falcon: only Q3_K_L changes it
            assertEquals(Q4_K, types.get(b + "ffn_up.weight"), b);
        }
    }

    @Test
    void q3KM() throws Exception {
        Map<String, GgmlType> types = SyntheticModel.types(model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q3_K_M)));
        assertEquals(Q8_0, types.get("output.weight"));       // 5.1 step 3: falcon
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            // 5.8 Q3_K_M: q5_K for i < 1; else q4_K when (not falcon) or use_more_bits; else q3_K.
            GgmlType down = l < 1 ? Q5_K : MORE_BITS.contains(l) ? Q4_K : Q3_K;
            assertEquals(down, types.get(b + "ffn_down.weight"), b);
            assertEquals(Q3_K, types.get(b + "attn_output.weight"), b);   // 5.9 falcon: default
            assertEquals(l < 2 ? Q5_K : Q4_K, types.get(b + "attn_qkv.weight"), b); // 5.5 Q3_K_M
        }
    }

    @Test
    void q3KL() throws Exception {
        Map<String, GgmlType> types = SyntheticModel.types(model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q3_K_L)));
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            assertEquals(Q4_K, types.get(b + "ffn_down.weight"), b);      // 5.8 Q3_K_L: q4_K for falcon (q5_K otherwise)
            assertEquals(Q4_K, types.get(b + "attn_output.weight"), b);   // 5.9 falcon Q3_K_L
            assertEquals(Q5_K, types.get(b + "attn_qkv.weight"), b);      // 5.5 Q3_K_L
            assertEquals(Q3_K, types.get(b + "ffn_up.weight"), b);
        }
    }
}
