package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter.TensorSpec;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The summary's facts on files built for one rule each: file-type guessing, per-layer keys, odd key types. */
class InspectSummaryFactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private JsonNode summary(List<MetadataEntry> metadata, List<TensorSpec> tensors) throws Exception {
        return json(metadata, tensors).get("summary");
    }

    private JsonNode json(List<MetadataEntry> metadata, List<TensorSpec> tensors) throws Exception {
        Path f = Fixtures.write(tmp.resolve("f" + System.nanoTime() + ".gguf"), metadata, tensors);
        CommandRun run = CommandRun.of("inspect", "--json", f.toString());
        assertEquals(0, run.exitCode(), run::toString);
        return JSON.readTree(run.out());
    }

    private static List<MetadataEntry> llama(MetadataEntry... more) {
        List<MetadataEntry> md = new ArrayList<>(List.of(Fixtures.str("general.architecture", "llama")));
        md.addAll(List.of(more));
        return md;
    }

    @Test
    void withoutFileTypeKeyTheMostFrequentTensorTypeIsGuessed() throws Exception {
        List<TensorSpec> tensors = List.of(
                Fixtures.tensor("token_embd.weight", GgmlType.Q8_0, 64, 8),
                Fixtures.tensor("output_norm.weight", GgmlType.F32, 64),
                Fixtures.tensor("blk.0.attn_norm.weight", GgmlType.F32, 64),
                Fixtures.tensor("blk.0.attn_q.weight", GgmlType.Q8_0, 64, 64),
                Fixtures.tensor("blk.0.attn_k.weight", GgmlType.Q8_0, 64, 64));
        JsonNode s = summary(llama(), tensors);
        assertEquals("MOSTLY_Q8_0", s.get("fileType").asText());
        assertEquals(7, s.get("fileTypeId").asInt());
        assertTrue(s.get("fileTypeGuessed").asBoolean());

        Path f = Fixtures.write(tmp.resolve("guessed.gguf"), llama(), tensors);
        CommandRun text = CommandRun.of("inspect", f.toString());
        assertTrue(text.out().contains("File type:        Q8_0, guessed from the tensor types (no general.file_type)"),
                text.out());
    }

    @Test
    void aTieGoesToTheTypeFirstInLlamaCppsTensorOrder() throws Exception {
        // One F16 and one Q8_0 tensor. llama.cpp walks tensors by layer number (blk.N.), then by name:
        // blk.2 comes before blk.10, although neither file order nor string order puts it first.
        JsonNode s = summary(llama(), List.of(
                Fixtures.tensor("blk.10.ffn_up.weight", GgmlType.F16, 32, 2),
                Fixtures.tensor("blk.2.ffn_up.weight", GgmlType.Q8_0, 32, 2)));
        assertEquals("MOSTLY_Q8_0", s.get("fileType").asText());
        // Tensors outside the layers (no blk. prefix) come before all layers.
        s = summary(llama(), List.of(
                Fixtures.tensor("blk.0.ffn_up.weight", GgmlType.Q8_0, 32, 2),
                Fixtures.tensor("output.weight", GgmlType.Q4_0, 32, 2)));
        assertEquals("MOSTLY_Q4_0", s.get("fileType").asText());
        // Within a layer, by name: attn_q < ffn_up.
        s = summary(llama(), List.of(
                Fixtures.tensor("blk.0.ffn_up.weight", GgmlType.Q8_0, 32, 2),
                Fixtures.tensor("blk.0.attn_q.weight", GgmlType.Q5_0, 32, 2)));
        assertEquals("MOSTLY_Q5_0", s.get("fileType").asText());
    }

    @Test
    void guessMapsKQuantsToTheirMediumFileTypes() throws Exception {
        assertEquals("MOSTLY_Q4_K_M", summary(llama(), List.of(Fixtures.tensor("w", GgmlType.Q4_K, 256, 2)))
                .get("fileType").asText());
        assertEquals("MOSTLY_Q3_K_M", summary(llama(), List.of(Fixtures.tensor("w", GgmlType.Q3_K, 256, 2)))
                .get("fileType").asText());
        // No tensors at all: llama.cpp starts from F32.
        JsonNode none = summary(llama(), List.of());
        assertEquals("ALL_F32", none.get("fileType").asText());
        assertTrue(none.get("fileTypeGuessed").asBoolean());
        assertTrue(none.get("bitsPerWeight").isNull());
        assertEquals(0, none.get("parameters").asLong());
    }

    @Test
    void anUnknownFileTypeIdIsShownAsSuch() throws Exception {
        JsonNode s = summary(llama(Fixtures.u32("general.file_type", 99)), List.of(Fixtures.tensor("w", GgmlType.F32, 4)));
        assertTrue(s.get("fileType").isNull());
        assertEquals(99, s.get("fileTypeId").asInt());
        assertFalse(s.get("fileTypeGuessed").asBoolean());
    }

    @Test
    void perLayerHeadCountsStayPerLayer() throws Exception {
        List<MetadataEntry> md = llama(Fixtures.u32("llama.block_count", 3),
                new MetadataEntry("llama.attention.head_count", GgufArray.ofUint32(8, 32, 32)),
                new MetadataEntry("llama.attention.head_count_kv", GgufArray.ofInt32(8, 8, 8)),
                Fixtures.u32("llama.expert_count", 64), Fixtures.u32("llama.expert_used_count", 6));
        List<TensorSpec> tensors = List.of(Fixtures.tensor("w", GgmlType.F32, 4));
        JsonNode s = summary(md, tensors);
        assertEquals("[8,32,32]", s.get("headCount").toString());
        assertEquals("[8,8,8]", s.get("headCountKv").toString());
        assertEquals(64, s.get("experts").asInt());
        assertEquals(6, s.get("expertsUsed").asInt());

        Path f = Fixtures.write(tmp.resolve("moe.gguf"), md, tensors);
        String out = CommandRun.of("inspect", f.toString()).out();
        assertTrue(out.contains("Attention heads:  8..32 (per layer)"), out);
        assertTrue(out.contains("KV heads:         8 (per layer)"), out);
        assertTrue(out.contains("Experts:          64 (6 used per token)"), out);
    }

    @Test
    void vocabularyFallsBackToTheTokenCount() throws Exception {
        JsonNode s = summary(llama(new MetadataEntry("tokenizer.ggml.tokens", GgufArray.ofStrings(List.of("a", "b", "c")))),
                List.of(Fixtures.tensor("w", GgmlType.F32, 4)));
        assertEquals(3, s.get("vocabularySize").asInt());
    }

    @Test
    void keysOfTheWrongTypeAreLeftOutAndReported() throws Exception {
        JsonNode json = json(List.of(
                        new MetadataEntry("general.architecture", GgufValue.Int.u32(7)),
                        Fixtures.str("general.name", "odd")),
                List.of(Fixtures.tensor("w", GgmlType.F32, 4)));
        assertTrue(json.get("summary").get("architecture").isNull());
        assertEquals("odd", json.get("summary").get("name").asText());
        assertEquals("[\"key 'general.architecture' is a UINT32, not a STRING: ignored in the summary\"]",
                json.get("warnings").toString());

        json = json(llama(Fixtures.str("llama.block_count", "two"),
                        new MetadataEntry("llama.context_length", GgufArray.ofUint32(4096)),
                        new MetadataEntry("llama.attention.head_count", GgufArray.ofStrings(List.of("a", "b"))),
                        Fixtures.str("general.file_type", "Q4_K_M"),
                        Fixtures.u32("tokenizer.ggml.tokens", 5)),
                List.of(Fixtures.tensor("w", GgmlType.Q8_0, 32)));
        JsonNode s = json.get("summary");
        assertTrue(s.get("layers").isNull());
        assertTrue(s.get("contextLength").isNull());
        assertTrue(s.get("headCount").isNull());
        assertTrue(s.get("vocabularySize").isNull());
        assertEquals("MOSTLY_Q8_0", s.get("fileType").asText(), "an unusable general.file_type leaves the guess");
        assertTrue(s.get("fileTypeGuessed").asBoolean());
        List<String> warnings = new ArrayList<>();
        json.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertEquals(List.of(
                "key 'general.file_type' is a STRING, not an integer: ignored in the summary",
                "key 'llama.context_length' is an ARRAY of UINT32, not an integer: ignored in the summary",
                "key 'llama.block_count' is a STRING, not an integer: ignored in the summary",
                "key 'llama.attention.head_count' is an ARRAY of STRING, not an integer or an array of integers, "
                        + "one per layer: ignored in the summary",
                "key 'tokenizer.ggml.tokens' is a UINT32, not an ARRAY: ignored in the summary"), warnings);
    }

    @Test
    void aPerLayerArrayOfTheWrongLengthIsReported() throws Exception {
        JsonNode json = json(llama(Fixtures.u32("llama.block_count", 4),
                        new MetadataEntry("llama.attention.head_count", GgufArray.ofUint32(8, 8))),
                List.of(Fixtures.tensor("w", GgmlType.F32, 4)));
        assertEquals("[8,8]", json.get("summary").get("headCount").toString());
        assertEquals("[\"key 'llama.attention.head_count' has 2 values but the model has 4 layers: llama.cpp would refuse it\"]",
                json.get("warnings").toString());
    }

    @Test
    void readerWarningsAreListed() throws Exception {
        String longName = "x".repeat(64);
        List<TensorSpec> tensors = List.of(Fixtures.tensor(longName, GgmlType.F32, 4));
        JsonNode json = json(llama(), tensors);
        assertEquals("[\"tensor '" + "x".repeat(64) + "' (tensor 0) has a name of 64 bytes: llama.cpp refuses names over 63 bytes\"]",
                json.get("warnings").toString());
        Path f = Fixtures.write(tmp.resolve("long.gguf"), llama(), tensors);
        List<String> lines = CommandRun.of("inspect", f.toString()).outLines();
        assertEquals(List.of("Warnings (1)", "  - tensor '" + "x".repeat(64) + "' (tensor 0) has a name of 64 bytes: llama.cpp refuses names over 63 bytes"),
                lines.subList(lines.size() - 2, lines.size()));
    }
}
