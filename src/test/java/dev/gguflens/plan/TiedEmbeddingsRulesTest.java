package dev.gguflens.plan;

import static dev.gguflens.gguf.GgmlType.Q4_0;
import static dev.gguflens.gguf.GgmlType.Q5_K;
import static dev.gguflens.gguf.GgmlType.Q6_K;
import static dev.gguflens.gguf.GgmlType.Q8_0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tied embeddings (no output.weight): token_embd follows the output rules of §5.1 instead of §5.3. */
class TiedEmbeddingsRulesTest {
    @TempDir
    Path dir;

    static SyntheticModel model(long embd) {
        SyntheticModel m = SyntheticModel.of("llama", 4, 8, 2)
                .weight("token_embd.weight", embd, 1000)
                .norm("output_norm.weight", 256);
        for (int l = 0; l < 4; l++) {
            String b = "blk." + l + ".";
            m.norm(b + "attn_norm.weight", 256)
                    .weight(b + "attn_q.weight", 256, 256)
                    .weight(b + "attn_k.weight", 256, 64)
                    .weight(b + "attn_v.weight", 256, 64)
                    .weight(b + "attn_output.weight", 256, 256)
                    .norm(b + "ffn_norm.weight", 256)
                    .weight(b + "ffn_gate.weight", 256, 512)
                    .weight(b + "ffn_up.weight", 256, 512)
                    .weight(b + "ffn_down.weight", 512, 256);
        }
        return m;
    }

    private GgmlType tokenEmbd(QuantizeOptions o) throws Exception {
        return SyntheticModel.types(model(256).plan(dir, o)).get("token_embd.weight");
    }

    @Test
    void tiedTokenEmbeddingsGetTheOutputTypes() throws Exception {
        assertEquals(Q6_K, tokenEmbd(QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M)));   // 5.1 step 5 (untied: q4_K)
        assertEquals(Q6_K, tokenEmbd(QuantizeOptions.of(LlamaFileType.MOSTLY_Q2_K)));     // 5.1 step 5 (untied: q2_K)
        assertEquals(Q8_0, tokenEmbd(QuantizeOptions.of(LlamaFileType.MOSTLY_Q8_0)));     // 5.1 step 6
        assertEquals(Q8_0, tokenEmbd(QuantizeOptions.of(LlamaFileType.MOSTLY_MXFP4_MOE)));  // 5.1 step 2
        // 5.1 step 4 (untied would be q2_K by 5.3 step 2).
        assertEquals(Q5_K, tokenEmbd(QuantizeOptions.of(LlamaFileType.MOSTLY_IQ2_XS).withImatrix(ImatrixMode.ASSUMED)));
    }

    @Test
    void outputTensorTypeReachesATiedTokenEmbeddingThroughTheRules() throws Exception {
        // 5.1 step 1.
        assertEquals(Q8_0, tokenEmbd(QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withOutputTensorType(Q8_0)));
        // §7 step 2 comes first: --token-embedding-type wins.
        assertEquals(Q4_0, tokenEmbd(QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withOutputTensorType(Q8_0).withTokenEmbeddingType(Q4_0)));
    }

    @Test
    void theTiedOutputTypeGoesThroughTheFallbackButTheUntiedOneDoesNot() throws Exception {
        QuantizeOptions o = QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withOutputTensorType(Q6_K);
        // Tied, rows of 288: 5.1 step 1 gives q6_K inside the rules, so §6 applies: 288 % 256 != 0 -> q8_0.
        Plan tied = model(288).plan(dir, o);
        assertEquals(Q8_0, SyntheticModel.types(tied).get("token_embd.weight"));
        assertEquals(1, tied.fallbackCount());
        // Untied output.weight with rows of 288: §7 step 3 returns q6_K with no fallback; ggml then aborts.
        Plan untied = model(256).weight("output.weight", 288, 1000).plan(dir, o);
        assertFalse(untied.ok());
        assertTrue(untied.message().contains("output.weight") && untied.message().contains("288"), untied.message());
    }

    @Test
    void theOutputAndEmbeddingsNeverRequireAnImatrix() throws Exception {
        // §10.1: token_embd at iq2_xs needs no imatrix, so Q4_K_M without one completes.
        Plan plan = model(256).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withTokenEmbeddingType(GgmlType.IQ2_XS));
        assertEquals(GgmlType.IQ2_XS, SyntheticModel.types(plan).get("token_embd.weight"));
    }
}
