package dev.gguflens.plan;

import static dev.gguflens.gguf.GgmlType.F32;
import static dev.gguflens.gguf.GgmlType.Q3_K;
import static dev.gguflens.gguf.GgmlType.Q4_K;
import static dev.gguflens.gguf.GgmlType.Q5_K;
import static dev.gguflens.gguf.GgmlType.Q6_K;
import static dev.gguflens.gguf.GgmlType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fused QKV (phi3-like): one attn_qkv per layer, 8 layers, 32 heads and 32 KV heads (GQA 1). attn_qkv
 * is V-like, so it follows §5.5 and its counter; llama.cpp's own ATTENTION_QKV branch is never reached.
 */
class FusedQkvRulesTest {
    private static final int LAYERS = 8;

    @TempDir
    Path dir;

    static SyntheticModel model() {
        SyntheticModel m = SyntheticModel.of("phi3", LAYERS, 32, 32)
                .weight("token_embd.weight", 256, 1000)
                .norm("output_norm.weight", 256)
                .weight("output.weight", 256, 1000);
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            m.norm(b + "attn_norm.weight", 256)
                    .weight(b + "attn_qkv.weight", 256, 768)
                    .weight(b + "attn_output.weight", 256, 256)
                    .norm(b + "ffn_norm.weight", 256)
                    .weight(b + "ffn_up.weight", 256, 2048)
                    .weight(b + "ffn_down.weight", 1024, 256);
        }
        return m;
    }

    @Test
    void q4KMPromotesUseMoreBitsLayersOfAttnQkvToQ6K() throws Exception {
        // use_more_bits(i, 8): i < 1, i >= 7, or (i - 1) % 3 == 2, so layers 0, 3, 6, 7. n_attention_wv = 8.
        Set<Integer> moreBits = Set.of(0, 3, 6, 7);
        Map<String, GgmlType> expected = new LinkedHashMap<>();
        expected.put("output.weight", Q6_K);        // 5.1 step 5
        expected.put("output_norm.weight", F32);
        expected.put("token_embd.weight", Q4_K);    // 5.3 step 5
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            expected.put(b + "attn_norm.weight", F32);
            expected.put(b + "attn_output.weight", Q4_K);                          // 5.9: default
            expected.put(b + "attn_qkv.weight", moreBits.contains(l) ? Q6_K : Q4_K); // 5.5 (the QKV branch would say q5_K)
            expected.put(b + "ffn_down.weight", moreBits.contains(l) ? Q6_K : Q4_K); // 5.8: counter = layer, no experts
            expected.put(b + "ffn_norm.weight", F32);
            expected.put(b + "ffn_up.weight", Q4_K);                               // 5.10: default
        }
        assertEquals(expected, SyntheticModel.types(model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M))));
    }

    @Test
    void q3KMGivesQ5KToTheFirstTwoAttnQkvOnly() throws Exception {
        Map<String, GgmlType> types = SyntheticModel.types(model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q3_K_M)));
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            // 5.5 Q3_K_M: q5_K while i_attention_wv < 2 (the unreachable QKV branch would say q4_K everywhere).
            assertEquals(l < 2 ? Q5_K : Q4_K, types.get(b + "attn_qkv.weight"), b);
            assertEquals(Q4_K, types.get(b + "attn_output.weight"), b);   // 5.9: Q3_K_M -> q4_K
            assertEquals(Q4_K, types.get(b + "ffn_down.weight"), b);      // 5.8: i >= 8/16 = 0, not falcon -> q4_K
            assertEquals(Q3_K, types.get(b + "ffn_up.weight"), b);        // 5.10: default
        }
    }

    @Test
    void aManualAttnQkvDoesNotAdvanceTheCounter() throws Exception {
        // §7: blk.0's attn_qkv matches the pattern, so it skips the rules and i_attention_wv stays 0 for
        // blk.1; blk.1 and blk.2 then see i = 0 and 1 (q5_K), blk.3 onwards q4_K.
        QuantizeOptions o = QuantizeOptions.of(LlamaFileType.MOSTLY_Q3_K_M)
                .withTensorTypes(List.of(TensorTypeOverride.parse("BLK\\.0\\.attn_qkv=q8_0")));
        Map<String, GgmlType> types = SyntheticModel.types(model().plan(dir, o));
        assertEquals(Q8_0, types.get("blk.0.attn_qkv.weight"));
        assertEquals(Q5_K, types.get("blk.1.attn_qkv.weight"));
        assertEquals(Q5_K, types.get("blk.2.attn_qkv.weight"));
        assertEquals(Q4_K, types.get("blk.3.attn_qkv.weight"));
    }
}
