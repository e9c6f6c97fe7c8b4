package dev.gguflens.plan;

import static dev.gguflens.gguf.GgmlType.F32;
import static dev.gguflens.gguf.GgmlType.IQ2_XS;
import static dev.gguflens.gguf.GgmlType.MXFP4;
import static dev.gguflens.gguf.GgmlType.Q2_K;
import static dev.gguflens.gguf.GgmlType.Q4_K;
import static dev.gguflens.gguf.GgmlType.Q5_K;
import static dev.gguflens.gguf.GgmlType.Q6_K;
import static dev.gguflens.gguf.GgmlType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.LlamaFileType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An 8-expert MoE (Mixtral-like, with shared experts): 8 layers, 32 heads, 8 KV heads (GQA 4), expert
 * tensors 3-D. Expected types are worked by hand from llama-quantize-rules.md; each line says which rule.
 */
class MoeRulesTest {
    private static final int LAYERS = 8;
    private static final String[] LAYER_TENSORS = {"attn_k", "attn_norm", "attn_output", "attn_q", "attn_v", "ffn_down_exps",
            "ffn_down_shexp", "ffn_gate_exps", "ffn_gate_inp", "ffn_gate_shexp", "ffn_norm", "ffn_up_exps", "ffn_up_shexp"};

    @TempDir
    Path dir;

    static SyntheticModel model() {
        SyntheticModel m = SyntheticModel.of("llama", LAYERS, 32, 8)
                .key("llama.expert_count", GgufValue.Int.u32(8))
                .key("llama.expert_used_count", GgufValue.Int.u32(2))
                .weight("token_embd.weight", 256, 1000)
                .norm("output_norm.weight", 256)
                .weight("output.weight", 256, 1000);
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            m.norm(b + "attn_norm.weight", 256)
                    .weight(b + "attn_q.weight", 256, 256)
                    .weight(b + "attn_k.weight", 256, 64)
                    .weight(b + "attn_v.weight", 256, 64)
                    .weight(b + "attn_output.weight", 256, 256)
                    .norm(b + "ffn_norm.weight", 256)
                    .tensor(b + "ffn_gate_inp.weight", F32, 256, 8)
                    .weight(b + "ffn_gate_exps.weight", 256, 512, 8)
                    .weight(b + "ffn_up_exps.weight", 256, 512, 8)
                    .weight(b + "ffn_down_exps.weight", 512, 256, 8)
                    .weight(b + "ffn_gate_shexp.weight", 256, 512)
                    .weight(b + "ffn_up_shexp.weight", 256, 512)
                    .weight(b + "ffn_down_shexp.weight", 512, 256);
        }
        return m;
    }

    @Test
    void q4KMTakesTheLayerOfExpertTensorsFromTheirNames() throws Exception {
        // use_more_bits(i, 8) is true for i < 8/8 = 1, i >= 7*8/8 = 7, and (i - 1) % 3 == 2: layers 0, 3, 6, 7.
        Set<Integer> moreBits = Set.of(0, 3, 6, 7);
        Map<String, GgmlType> expected = new LinkedHashMap<>();
        expected.put("output.weight", Q6_K);           // 5.1 step 5: default q4_K is not q8_0
        expected.put("output_norm.weight", F32);       // 3.2: 1-D
        expected.put("token_embd.weight", Q4_K);       // 5.3 step 5: untied, default
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            expected.put(b + "attn_k.weight", Q8_0);       // 5.6: n_expert == 8
            expected.put(b + "attn_norm.weight", F32);     // 3.2: 1-D
            expected.put(b + "attn_output.weight", Q5_K);  // 5.9: n_expert == 8 and Q4_K_M is in the list
            expected.put(b + "attn_q.weight", Q4_K);       // 5.7: default
            expected.put(b + "attn_v.weight", Q8_0);       // 5.5 step 3: n_expert == 8 overrides use_more_bits
            // 5.8 Q4_K_M (not falcon): q6_K when use_more_bits(layer, 8), the layer parsed from the name
            // (n_expert > 1). With the raw counter (two ffn_down per layer) blk.0.ffn_down_shexp would be
            // i = 1 (q4_K) and blk.1.ffn_down_shexp i = 3 (q6_K): the opposite.
            GgmlType down = moreBits.contains(l) ? Q6_K : Q4_K;
            expected.put(b + "ffn_down_exps.weight", down);
            expected.put(b + "ffn_down_shexp.weight", down);
            expected.put(b + "ffn_gate_exps.weight", Q4_K);   // 5.10: only IQ3_XS changes gate/up
            expected.put(b + "ffn_gate_inp.weight", F32);     // 3.2: ffn_gate_inp.weight is never quantized
            expected.put(b + "ffn_gate_shexp.weight", Q4_K);
            expected.put(b + "ffn_norm.weight", F32);
            expected.put(b + "ffn_up_exps.weight", Q4_K);
            expected.put(b + "ffn_up_shexp.weight", Q4_K);
        }
        assertEquals(expected, SyntheticModel.types(model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M))));
    }

    @Test
    void mxfp4MoeGivesMxfp4ToThreeDimensionalExpertsAndQ8ZeroToTheRest() throws Exception {
        Map<String, GgmlType> expected = new LinkedHashMap<>();
        expected.put("output.weight", Q8_0);       // 5.1 step 2
        expected.put("output_norm.weight", F32);
        expected.put("token_embd.weight", Q8_0);   // 5.2: untied token_embd lands in the MXFP4_MOE block, 2-D
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            for (String t : LAYER_TENSORS) {
                GgmlType type;
                if (t.endsWith("norm") || t.equals("ffn_gate_inp")) {
                    type = F32;                    // 3.2: kept
                } else if (t.endsWith("_exps")) {
                    type = MXFP4;                  // 5.2: ne2 = 8 > 1, arch is not bailingmoe3
                } else {
                    type = Q8_0;                   // 5.2: 2-D
                }
                expected.put(b + t + ".weight", type);
            }
        }
        assertEquals(expected, SyntheticModel.types(model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_MXFP4_MOE))));
    }

    @Test
    void iq2XsUsesTheRawFfnDownCounterEvenForExperts() throws Exception {
        Map<String, GgmlType> types = SyntheticModel.types(model().plan(dir,
                QuantizeOptions.of(LlamaFileType.MOSTLY_IQ2_XS).withImatrix(ImatrixMode.ASSUMED)));
        assertEquals(Q5_K, types.get("output.weight"));       // 5.1 step 4
        assertEquals(Q2_K, types.get("token_embd.weight"));   // 5.3 step 2
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            assertEquals(Q4_K, types.get(b + "attn_v.weight"), b);       // 5.4: n_gqa = 4 >= 4
            assertEquals(Q4_K, types.get(b + "attn_k.weight"), b);       // 5.4: n_expert == 8
            assertEquals(Q5_K, types.get(b + "attn_output.weight"), b);  // 5.4: n_expert == 8
            assertEquals(IQ2_XS, types.get(b + "attn_q.weight"), b);     // 5.4: anything else, default
            assertEquals(IQ2_XS, types.get(b + "ffn_up_exps.weight"), b);
        }
        // 5.4: q2_K while the raw counter i_ffn_down < 8/8 = 1, so only the first ffn_down visited.
        assertEquals(Q2_K, types.get("blk.0.ffn_down_exps.weight"));
        assertEquals(IQ2_XS, types.get("blk.0.ffn_down_shexp.weight"));
        assertEquals(IQ2_XS, types.get("blk.1.ffn_down_exps.weight"));
    }

    @Test
    void withoutAnImatrixIq2XsStopsAtTheFirstTensorThatNeedsOne() throws Exception {
        Plan plan = model().plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_IQ2_XS));
        assertFalse(plan.ok());
        // Visiting order: output (never requires), output_norm, token_embd (never), blk.0.attn_k (q4_K),
        // attn_norm, attn_output (q5_K), then attn_q at iq2_xs.
        assertEquals("this quantization requires an imatrix! offending tensor: blk.0.attn_q.weight, target type: iq2_xs", plan.message());
    }

    @Test
    void anExpertTensorWithoutALayerNumberFailsAsLlamaCppDoes() throws Exception {
        Plan plan = model().weight("mtp.ffn_down_exps.weight", 512, 256, 8).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        assertEquals("Failed to determine layer for tensor mtp.ffn_down_exps.weight", plan.message());
    }

    @Test
    void anExpertTensorPastTheBlockCountFailsAsLlamaCppDoes() throws Exception {
        Plan plan = model().weight("blk.8.ffn_up_exps.weight", 256, 512, 8).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        assertEquals("Bad layer 8 for tensor blk.8.ffn_up_exps.weight. Must be in [0, 8)", plan.message());
    }
}
