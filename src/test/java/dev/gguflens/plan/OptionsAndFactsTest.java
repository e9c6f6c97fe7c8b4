package dev.gguflens.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.MetadataEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tensor-type} as llama-quantize parses and applies it, and the model facts read from the metadata. */
class OptionsAndFactsTest {
    @TempDir
    Path dir;

    @Test
    void tensorTypeIsSplitAtTheFirstEqualsAndThePatternLowerCased() {
        TensorTypeOverride o = TensorTypeOverride.parse("BLK\\.1\\.ATTN_V=Q8_0");
        assertEquals("blk\\.1\\.attn_v", o.pattern());
        assertEquals(GgmlType.Q8_0, o.type());
        assertEquals("blk\\.1\\.attn_v=q8_0", o.toString());
        assertEquals(GgmlType.Q6_K, TensorTypeOverride.parse("ffn=q6_k").type());
        assertEquals(GgmlType.BF16, TensorTypeOverride.parse("x=BF16").type());
    }

    @Test
    void tensorTypeRefusesWhatLlamaQuantizeRefuses() {
        assertEquals("malformed tensor type 'attn_v': expected PATTERN=TYPE", refusal("attn_v"));
        assertEquals("missing tensor name in tensor type '=q8_0'", refusal("=q8_0"));
        assertEquals("missing quantization type in tensor type 'attn_v='", refusal("attn_v="));
        assertEquals("invalid quantization type 'q9_9' in tensor type 'attn_v=q9_9'", refusal("attn_v=q9_9"));
        assertEquals("invalid quantization type 'b=q8_0' in tensor type 'a=b=q8_0'", refusal("a=b=q8_0"));
        assertEquals("invalid quantization type ' q8_0' in tensor type 'a= q8_0'", refusal("a= q8_0"));
        assertTrue(refusal("attn_(v=q8_0").startsWith("invalid regular expression 'attn_(v' in --tensor-type"));
    }

    private static String refusal(String arg) {
        return assertThrows(IllegalArgumentException.class, () -> TensorTypeOverride.parse(arg)).getMessage();
    }

    @Test
    void thePatternIsSearchedNotMatchedWhole() {
        assertTrue(TensorTypeOverride.parse("attn_v=q8_0").matches("blk.0.attn_v.weight"));
        assertTrue(TensorTypeOverride.parse("\\.0\\.=q8_0").matches("blk.0.attn_v.weight"));
        assertFalse(TensorTypeOverride.parse("^attn_v=q8_0").matches("blk.0.attn_v.weight"));
        // Lower-cased pattern, names as they are.
        assertFalse(TensorTypeOverride.parse("ATTN=q8_0").matches("blk.0.ATTN_V.weight"));
    }

    @Test
    void theFirstMatchingPatternWinsAndLaterOnesAreIgnored() throws Exception {
        QuantizeOptions o = QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withTensorTypes(List.of(
                TensorTypeOverride.parse("ffn=q8_0"), TensorTypeOverride.parse("ffn_down=q6_k")));
        Map<String, GgmlType> types = SyntheticModel.types(TiedEmbeddingsRulesTest.model(256).plan(dir, o));
        assertEquals(GgmlType.Q8_0, types.get("blk.0.ffn_down.weight"));
        assertEquals(GgmlType.Q8_0, types.get("blk.0.ffn_up.weight"));
        // Not quantizable tensors ignore patterns (§7 step 1): ffn_norm stays F32.
        assertEquals(GgmlType.F32, types.get("blk.0.ffn_norm.weight"));
    }

    private static List<MetadataEntry> md(Object... keyValues) {
        List<MetadataEntry> out = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            out.add(new MetadataEntry((String) keyValues[i], (GgufValue) keyValues[i + 1], 100 + i));
        }
        return out;
    }

    private static GgufValue u32(long v) {
        return GgufValue.Int.u32(v);
    }

    @Test
    void factsComeFromTheArchitecturesKeys() throws Exception {
        ModelFacts f = ModelFacts.of(md("general.architecture", GgufValue.Str.of("qwen2"), "qwen2.block_count", u32(28),
                "qwen2.attention.head_count", u32(28), "qwen2.attention.head_count_kv", u32(4)));
        assertEquals(new ModelFacts("qwen2", 28, 0, 28, 4, 0), f);
        assertEquals(7, f.gqa());
        // head_count_kv defaults to head_count; no KV heads means n_gqa 0.
        assertEquals(1, ModelFacts.of(md("general.architecture", GgufValue.Str.of("llama"), "llama.block_count", u32(2),
                "llama.attention.head_count", u32(8))).gqa());
        assertEquals(0, ModelFacts.of(md("general.architecture", GgufValue.Str.of("llama"), "llama.block_count", u32(2),
                "llama.attention.head_count", u32(8), "llama.attention.head_count_kv", u32(0))).gqa());
        assertEquals(0, ModelFacts.of(md("general.architecture", GgufValue.Str.of("mamba"), "mamba.block_count", u32(2))).gqa());
    }

    @Test
    void seventyBAsEachArchitecturesLoaderDecidesIt() throws Exception {
        assertTrue(facts("deci", 80, 0, 64, 64, 0).is70B());
        assertTrue(facts("qwen2", 80, 0, 64, 8, 0).is70B());
        assertTrue(facts("jais2", 68, 0, 64, 8, 0).is70B());
        assertFalse(facts("jais2", 80, 0, 64, 8, 0).is70B());
        assertTrue(facts("llama", 80, 0, 64, 8, 0).is70B());
        assertFalse(facts("llama", 80, 0, 64, 8, 8).is70B());    // 8 experts: a MoE type, not 70B
        assertFalse(facts("llama", 80, 0, 64, 64, 0).is70B());   // 65B
        assertFalse(facts("mistral", 80, 0, 64, 8, 0).is70B());
        // n_layer is the trunk: block count minus NextN layers.
        assertTrue(facts("qwen2", 81, 1, 64, 8, 0).is70B());
        assertFalse(facts("qwen2", 81, 0, 64, 8, 0).is70B());
    }

    private static ModelFacts facts(String arch, long blocks, long nextn, long heads, long kv, long experts) throws Exception {
        return ModelFacts.of(md("general.architecture", GgufValue.Str.of(arch), arch + ".block_count", u32(blocks),
                arch + ".nextn_predict_layers", u32(nextn), arch + ".attention.head_count", u32(heads),
                arch + ".attention.head_count_kv", u32(kv), arch + ".expert_count", u32(experts)));
    }

    @Test
    void aKeyOfTheWrongTypeIsOneLineNamingTheKeyAndItsOffset() {
        assertEquals("key 'llama.block_count' must be an integer but is STRING (at byte 102)", formatError(md(
                "general.architecture", GgufValue.Str.of("llama"), "llama.block_count", GgufValue.Str.of("32"))));
        assertEquals("key 'general.architecture' must be a STRING but is UINT32 (at byte 100)", formatError(md(
                "general.architecture", u32(1))));
        assertEquals("key 'llama.attention.head_count' must be an integer or an array of integers but is FLOAT32 (at byte 104)",
                formatError(md("general.architecture", GgufValue.Str.of("llama"), "llama.block_count", u32(2),
                        "llama.attention.head_count", GgufValue.Real.f32(8))));
        assertEquals("key 'llama.attention.head_count_kv' must be an integer or an array of integers but is an ARRAY of STRING (at byte 106)",
                formatError(md("general.architecture", GgufValue.Str.of("llama"), "llama.block_count", u32(2),
                        "llama.attention.head_count", u32(8), "llama.attention.head_count_kv", GgufArray.ofStrings(List.of("8")))));
        assertEquals("key 'llama.expert_count' is -1, not a count (at byte 104)", formatError(md("general.architecture",
                GgufValue.Str.of("llama"), "llama.block_count", u32(2), "llama.expert_count", GgufValue.Int.i32(-1))));
    }

    @Test
    void keysTheLoaderRequiresMustBeThere() {
        assertEquals("key 'general.architecture' is missing: llama-quantize cannot load the model", formatError(md()));
        assertEquals("key 'llama.block_count' is missing: llama-quantize cannot load the model",
                formatError(md("general.architecture", GgufValue.Str.of("llama"))));
    }

    private static String formatError(List<MetadataEntry> md) {
        return assertThrows(GgufFormatException.class, () -> ModelFacts.of(md)).getMessage();
    }
}
