package dev.gguflens.plan;

import static dev.gguflens.gguf.GgmlType.Q4_K;
import static dev.gguflens.gguf.GgmlType.Q5_K;
import static dev.gguflens.gguf.GgmlType.Q6_K;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An 80-layer LLaMA with GQA (64 heads, 8 KV heads): llama.cpp types it 70B, which lifts attn_v (§3.1, §5.5 step 2). */
class Llama70BRulesTest {
    private static final int LAYERS = 80;

    @TempDir
    Path dir;

    static SyntheticModel model(long heads, long kvHeads) {
        SyntheticModel m = SyntheticModel.of("llama", LAYERS, heads, kvHeads)
                .weight("token_embd.weight", 256, 1000)
                .norm("output_norm.weight", 256)
                .weight("output.weight", 256, 1000);
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            m.norm(b + "attn_norm.weight", 256)
                    .weight(b + "attn_q.weight", 256, 256)
                    .weight(b + "attn_k.weight", 256, 32)
                    .weight(b + "attn_v.weight", 256, 32)
                    .weight(b + "attn_output.weight", 256, 256)
                    .norm(b + "ffn_norm.weight", 256)
                    .weight(b + "ffn_gate.weight", 256, 512)
                    .weight(b + "ffn_up.weight", 256, 512)
                    .weight(b + "ffn_down.weight", 512, 256);
        }
        return m;
    }

    /** use_more_bits(i, 80): i < 10, i >= 70, or (i - 10) % 3 == 2, i.e. 12, 15, ..., 69. */
    private static Set<Integer> moreBits() {
        Set<Integer> s = new TreeSet<>();
        IntStream.range(0, 10).forEach(s::add);
        IntStream.iterate(12, i -> i <= 69, i -> i + 3).forEach(s::add);
        IntStream.range(70, 80).forEach(s::add);
        return s;
    }

    @Test
    void q4KMLiftsTheQ4KAttnVLayersToQ5K() throws Exception {
        Map<String, GgmlType> types = SyntheticModel.types(model(64, 8).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M)));
        Set<Integer> more = moreBits();
        assertEquals(40, more.size()); // 10 + 20 (12..69 by 3) + 10
        for (int l = 0; l < LAYERS; l++) {
            String b = "blk." + l + ".";
            // 5.5 step 1: q6_K when use_more_bits, else q4_K; step 2 (70B): q4_K -> q5_K.
            assertEquals(more.contains(l) ? Q6_K : Q5_K, types.get(b + "attn_v.weight"), b);
            // 5.8 is not touched by 70B: q6_K when use_more_bits, else q4_K.
            assertEquals(more.contains(l) ? Q6_K : Q4_K, types.get(b + "ffn_down.weight"), b);
            assertEquals(Q4_K, types.get(b + "attn_k.weight"), b);
        }
    }

    @Test
    void q3KMAndQ2KGiveEveryAttnVQ5K() throws Exception {
        for (LlamaFileType f : new LlamaFileType[] {LlamaFileType.MOSTLY_Q3_K_M, LlamaFileType.MOSTLY_Q2_K, LlamaFileType.MOSTLY_Q4_K_S}) {
            Map<String, GgmlType> types = SyntheticModel.types(model(64, 8).plan(dir, QuantizeOptions.of(f)));
            for (int l = 0; l < LAYERS; l++) {
                // Q3_K_M: q5_K/q4_K; Q2_K: q4_K (GQA 8 >= 4); Q4_K_S: q5_K/q4_K; 70B lifts every q4_K to q5_K.
                assertEquals(Q5_K, types.get("blk." + l + ".attn_v.weight"), f + " layer " + l);
            }
        }
    }

    @Test
    void eightyLayersWithoutGqaIsNot70B() throws Exception {
        // §3.1: llama with n_head == n_head_kv at 80 layers is 65B: Q3_K_M keeps q4_K after the first two attn_v.
        Map<String, GgmlType> types = SyntheticModel.types(model(64, 64).plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q3_K_M)));
        assertEquals(Q5_K, types.get("blk.1.attn_v.weight"));
        assertEquals(Q4_K, types.get("blk.2.attn_v.weight"));
        assertEquals(Q4_K, types.get("blk.79.attn_v.weight"));
    }

    @Test
    void perLayerHeadCountsUseLayerZero() throws Exception {
        // head_count_kv as a per-layer array: layer 0 has 8 KV heads (GQA 8, 70B), the others 64.
        long[] kv = new long[LAYERS];
        Arrays.fill(kv, 64);
        kv[0] = 8;
        SyntheticModel m = model(64, 8).key("llama.attention.head_count_kv", GgufArray.ofUint32(kv));
        ModelFacts facts;
        try (GgufFile f = GgufReader.open(m.write(dir, "arrays.gguf"))) {
            facts = ModelFacts.of(f.metadata());
        }
        assertEquals(8, facts.gqa());
        assertTrue(facts.is70B());
        kv[0] = 64;
        try (GgufFile f = GgufReader.open(model(64, 8).key("llama.attention.head_count_kv", GgufArray.ofUint32(kv))
                .write(dir, "arrays2.gguf"))) {
            assertFalse(ModelFacts.of(f.metadata()).is70B());
        }
    }
}
