package dev.gguflens.plan;

import static dev.gguflens.gguf.GgmlType.F16;
import static dev.gguflens.gguf.GgmlType.F32;
import static dev.gguflens.gguf.GgmlType.Q5_0;
import static dev.gguflens.gguf.GgmlType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Row lengths that do not fit the chosen type (§6, as the pinned binary behaves), and the one hard error. */
class RowLengthFallbackTest {
    @TempDir
    Path dir;

    /** Two layers, rows of {@code embd} everywhere except ffn_down (rows of 2 x embd). */
    static SyntheticModel model(long embd) {
        SyntheticModel m = SyntheticModel.of("llama", 2, 1, 1)
                .weight("token_embd.weight", embd, 1000)
                .norm("output_norm.weight", embd)
                .weight("output.weight", embd, 1000);
        for (int l = 0; l < 2; l++) {
            String b = "blk." + l + ".";
            m.norm(b + "attn_norm.weight", embd)
                    .weight(b + "attn_q.weight", embd, embd)
                    .weight(b + "attn_k.weight", embd, embd)
                    .weight(b + "attn_v.weight", embd, embd)
                    .weight(b + "attn_output.weight", embd, embd)
                    .norm(b + "ffn_norm.weight", embd)
                    .weight(b + "ffn_gate.weight", embd, 2 * embd)
                    .weight(b + "ffn_up.weight", embd, 2 * embd)
                    .weight(b + "ffn_down.weight", 2 * embd, embd);
        }
        return m;
    }

    @Test
    void rowsOfEightyFallBackToF16AndRowsOf160ToQ5ZeroOrQ8Zero() throws Exception {
        Plan plan = model(80).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        Map<String, GgmlType> expected = new LinkedHashMap<>();
        // 5.1 step 3: 80 % 256 != 0 -> q8_0; §6: q8_0 has no fallback entry and a block of 32, so it is
        // kept, and 80 % 32 != 0 -> f16.
        expected.put("output.weight", F16);
        expected.put("output_norm.weight", F32);
        expected.put("token_embd.weight", F16);   // q4_K -> q5_0 -> 80 % 32 != 0 -> f16
        for (int l = 0; l < 2; l++) {
            String b = "blk." + l + ".";
            expected.put(b + "attn_k.weight", F16);       // q4_K -> q5_0 -> f16
            expected.put(b + "attn_norm.weight", F32);
            expected.put(b + "attn_output.weight", F16);
            expected.put(b + "attn_q.weight", F16);
            expected.put(b + "attn_v.weight", F16);       // q4_K (layer 0) or q6_K (layer 1) -> q5_0 / q8_0 -> f16
            // use_more_bits(i, 2) is true only for i = 1 (i >= 7*2/8 = 1): q6_K -> q8_0 (160 % 32 == 0);
            // layer 0: q4_K -> q5_0.
            expected.put(b + "ffn_down.weight", l == 1 ? Q8_0 : Q5_0);
            expected.put(b + "ffn_gate.weight", F16);
            expected.put(b + "ffn_norm.weight", F32);
            expected.put(b + "ffn_up.weight", F16);
        }
        assertEquals(expected, SyntheticModel.types(plan));
        // Every quantizable tensor fell back: output, token_embd and 7 per layer.
        assertEquals(16, plan.fallbackCount());
        assertEquals(List.of("16 of 21 tensor(s) required fallback quantization"), plan.warnings());
        PlannedTensor down = plan.tensors().stream().filter(t -> t.name().equals("blk.0.ffn_down.weight")).findFirst().orElseThrow();
        assertEquals("ffn_down: default type of Q4_K_M; fallback: 160 not a multiple of 256 (Q4_K) -> Q5_0", down.reason());
    }

    @Test
    void pureAndTensorTypeResultsGoThroughTheFallbackToo() throws Exception {
        QuantizeOptions o = QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withPure(true)
                .withTensorTypes(List.of(TensorTypeOverride.parse("ffn_down=q6_k")));
        Map<String, GgmlType> types = SyntheticModel.types(model(80).plan(dir, o));
        assertEquals(Q8_0, types.get("blk.0.ffn_down.weight"));   // manual q6_K, 160 % 256 != 0 -> q8_0
        assertEquals(Q8_0, types.get("blk.1.ffn_down.weight"));
        assertEquals(F16, types.get("blk.0.attn_q.weight"));      // --pure q4_K -> q5_0 -> f16
        assertEquals(F16, types.get("output.weight"));            // --pure q4_K -> q5_0 -> f16 (no 5.1 under --pure)
    }

    @Test
    void aTypeWithLargeBlocksAndNoFallbackFailsTheRun() throws Exception {
        // Q1_0 (block 128) on rows of 320: output.weight takes q8_0 by 5.1 step 3; token_embd keeps
        // q1_0, which has no fallback entry and a block over 32: llama.cpp's hard error.
        Plan plan = model(320).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q1_0));
        assertFalse(plan.ok());
        assertEquals("no tensor type fallback is defined for type q1_0 (rows of 320 are not a multiple of 128)", plan.message());
    }

    @Test
    void aManualTypeWithLargeBlocksAndNoFallbackFailsTheRunToo() throws Exception {
        QuantizeOptions o = QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_0).withTensorTypes(List.of(TensorTypeOverride.parse("attn_q=q8_K")));
        Plan plan = model(320).plan(dir, o);
        assertEquals("no tensor type fallback is defined for type q8_K (rows of 320 are not a multiple of 256)", plan.message());
    }

    @Test
    void q8ZeroOnRowsOfEightyBecomesF16InsteadOfFailing() throws Exception {
        // The binary's default case: q8_0 (block 32) has no entry, is kept, and then becomes f16.
        Map<String, GgmlType> types = SyntheticModel.types(model(80).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q8_0)));
        assertEquals(F16, types.get("blk.0.attn_q.weight"));
        assertEquals(Q8_0, types.get("blk.0.ffn_down.weight"));   // 160 % 32 == 0
    }
}
