package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.TestFiles;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gguflens fit} as a user runs it: on the tiny model of testdata (always there) and on the oracle's
 * KV-cache models (llama.cpp's figures for them are in the oracle's tables).
 */
class FitCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TINY = TestFiles.testdata("tiny-gqa-f16.gguf").toString();

    private static JsonNode json(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("fit", "--json"));
        all.addAll(List.of(args));
        CommandRun r = CommandRun.of(all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode n = JSON.readTree(r.out());
        assertEquals(1, n.get("schemaVersion").asInt());
        return n;
    }

    private static Map<String, JsonNode> byFtype(JsonNode report) {
        Map<String, JsonNode> m = new HashMap<>();
        report.get("options").forEach(o -> m.put(o.get("ftype").asText(), o));
        return m;
    }

    @Test
    void weightsAreTheFilesTensorsAndTheContextIsLlamaCpps() throws Exception {
        JsonNode r = json(TINY, "--memory", "1GiB", "--ctx", "2048", "--to", "Q4_K_M,Q8_0,F16");
        JsonNode model = r.get("models").get(0);
        // 2 layers x (2 KV heads x 64) x 2 bytes x 2048 cells, for K and for V
        assertEquals(2L * 128 * 2 * 2048, model.get("kvCache").get("kBytes").asLong());
        assertEquals(2L * 128 * 2 * 2048 * 2, model.get("kvCache").get("bytes").asLong());
        // one row of 512 logits
        assertEquals(512 * 4, model.get("outputBytes").asLong());
        assertEquals(2048, model.get("context").get("ctx").asLong());
        assertTrue(model.get("context").get("flashAttention").asBoolean());
        // Q4_K_M's weights: the tensor bytes of the file llama.cpp itself wrote from this model
        long llamaCpp = 0;
        try (GgufFile q = GgufReader.open(TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))) {
            for (TensorInfo t : q.tensors()) {
                llamaCpp += t.bytes();
            }
        }
        Map<String, JsonNode> options = byFtype(r);
        assertEquals(llamaCpp, options.get("MOSTLY_Q4_K_M").get("weightsBytes").asLong());
        // F16 of an F16 source is the source's tensors
        assertEquals(2_888_704, options.get("MOSTLY_F16").get("weightsBytes").asLong());
        long context = model.get("bytes").asLong();
        assertEquals(model.get("kvCache").get("bytes").asLong() + model.get("recurrentState").get("bytes").asLong()
                + model.get("outputBytes").asLong() + model.get("computeBytes").asLong(), context);
        for (JsonNode o : r.get("options")) {
            assertEquals(o.get("weightsBytes").asLong() + context, o.get("totalBytes").asLong(), o.toString());
            assertEquals((1L << 30) - o.get("totalBytes").asLong(), o.get("marginBytes").asLong());
        }
        // smallest total first
        assertEquals(List.of("MOSTLY_Q4_K_M", "MOSTLY_Q8_0", "MOSTLY_F16"), ftypes(r));
    }

    @Test
    void theBudgetIsInclusiveAndTheLargestThatFitsIsBest() throws Exception {
        Map<String, JsonNode> all = byFtype(json(TINY, "--memory", "1GiB", "--ctx", "2048", "--to", "Q4_K_M,Q8_0,F16"));
        long q8 = all.get("MOSTLY_Q8_0").get("totalBytes").asLong();
        JsonNode exact = json(TINY, "--memory", Long.toString(q8), "--ctx", "2048", "--to", "Q4_K_M,Q8_0,F16");
        Map<String, JsonNode> e = byFtype(exact);
        assertTrue(e.get("MOSTLY_Q8_0").get("fits").asBoolean());
        assertEquals(0, e.get("MOSTLY_Q8_0").get("marginBytes").asLong());
        assertFalse(e.get("MOSTLY_F16").get("fits").asBoolean());
        assertEquals("MOSTLY_Q8_0", exact.get("best").get("ftype").asText());
        assertEquals("largestThatFits", exact.get("best").get("rule").asText());
        JsonNode below = json(TINY, "--memory", Long.toString(q8 - 1), "--ctx", "2048", "--to", "Q4_K_M,Q8_0,F16");
        assertEquals("MOSTLY_Q4_K_M", below.get("best").get("ftype").asText());
        JsonNode none = json(TINY, "--memory", "1MiB", "--ctx", "2048", "--to", "Q4_K_M,Q8_0,F16");
        assertTrue(none.get("best").isNull());
    }

    @Test
    void textShowsMibAsLlamaCppPrintsThemAndTheBestLine() {
        CommandRun r = CommandRun.of("fit", TINY, "--memory", "1GiB", "--ctx", "2048", "--to", "Q4_K_M,F16");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.outLines();
        assertTrue(lines.get(0).startsWith("Best that fits: " + TINY + " F16 (F16), "), lines.get(0));
        assertTrue(lines.get(0).endsWith("Rule: the largest option that fits, the most bits the budget allows; --error chooses by measured"
                + " error instead."), lines.get(0));
        assertEquals("Budget: 1.00 GiB (1024.00 MiB, 1,073,741,824 bytes)", lines.get(1));
        // the KV cache: 2,097,152 bytes
        String model = lines.stream().filter(l -> l.startsWith("  " + TINY)).findFirst().orElseThrow();
        assertTrue(model.matches(".*\\s2048\\s+2048\\s+2\\.00\\s+0\\.00\\s+\\d+\\.\\d\\d$"), model);
        String q4 = lines.stream().filter(l -> l.contains(" Q4_K_M ")).findFirst().orElseThrow();
        // 892,160 bytes of weights: 0.85 MiB
        assertTrue(q4.matches("  yes\\s+\\S+\\s+Q4_K_M\\s+0\\.85\\s+2\\.00\\s+0\\.00\\s+.*"), q4);
    }

    @Test
    void badSizesAreUsageErrors() {
        for (String size : List.of("24XB", "0", "lots", "-1G")) {
            CommandRun r = CommandRun.of("fit", TINY, "--memory", size);
            assertEquals(2, r.exitCode(), r.toString());
            assertTrue(r.errLines().getFirst().startsWith("gguflens: ") && r.errLines().getFirst().contains("memory size '" + size + "'"),
                    r.toString());
            assertEquals("", r.out());
        }
        CommandRun missing = CommandRun.of("fit", TINY);
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("--memory"), missing.toString());
    }

    @Test
    void conflictingAndUnknownOptionsAreUsageErrors() {
        assertEquals(2, CommandRun.of("fit", TINY, "-m", "1G", "--kv-type", "q8_0", "-ctk", "q4_0").exitCode());
        CommandRun type = CommandRun.of("fit", TINY, "-m", "1G", "--kv-type", "q2_k");
        assertEquals(2, type.exitCode());
        assertTrue(type.err().contains("unsupported cache type 'q2_k'; valid: f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1"),
                type.toString());
        assertEquals(2, CommandRun.of("fit", TINY, "-m", "1G", "-fa", "maybe").exitCode());
        assertEquals(2, CommandRun.of("fit", TINY, "-m", "1G", "--ctx", "0").exitCode());
        assertEquals(2, CommandRun.of("fit", TINY, "-m", "1G", "--seed", "3").exitCode());
        assertEquals(2, CommandRun.of("fit", TINY, "-m", "1G", "--assume-imatrix", "--imatrix", "x.gguf").exitCode());
        CommandRun file = CommandRun.of("fit", "no-such-file.gguf", "-m", "1G");
        assertEquals(5, file.exitCode(), file.toString());
    }

    @Test
    void errorsAreMeasuredForWhatFitsAndChooseTheBest() throws Exception {
        JsonNode all = json(TINY, "--memory", "1GiB", "--ctx", "2048", "--to", "Q2_K,Q4_K_M,Q8_0,F16");
        long q8 = byFtype(all).get("MOSTLY_Q8_0").get("totalBytes").asLong();
        JsonNode r = json(TINY, "--memory", Long.toString(q8), "--ctx", "2048", "--to", "Q2_K,Q4_K_M,Q8_0,F16", "--error");
        Map<String, JsonNode> o = byFtype(r);
        assertTrue(o.get("MOSTLY_F16").get("relativeRmse").isNull(), "F16 does not fit: not measured");
        double q8err = o.get("MOSTLY_Q8_0").get("relativeRmse").asDouble();
        double q4err = o.get("MOSTLY_Q4_K_M").get("relativeRmse").asDouble();
        double q2err = o.get("MOSTLY_Q2_K").get("relativeRmse").asDouble();
        assertTrue(q8err > 0 && q8err < q4err && q4err < q2err, r.toString());
        assertEquals("MOSTLY_Q8_0", r.get("best").get("ftype").asText());
        assertEquals("lowestError", r.get("best").get("rule").asText());
        assertTrue(r.get("errorSample").isNull());
        JsonNode sampled = json(TINY, "--memory", Long.toString(q8), "--ctx", "2048", "--to", "Q4_K_M,Q8_0", "--sample", "0.5");
        assertEquals(0.5, sampled.get("errorSample").get("fraction").asDouble());
        CommandRun text = CommandRun.of("fit", TINY, "--memory", Long.toString(q8), "--ctx", "2048", "--to", "Q4_K_M,Q8_0", "--error");
        assertTrue(text.outLines().getFirst().contains("Rule: the smallest measured relative RMSE ("), text.toString());
        assertTrue(text.out().contains("REL RMSE"), text.toString());
    }

    @Test
    void helpExplainsTheDefaults() {
        CommandRun r = CommandRun.of("fit", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("n_ctx the model's"), r.out());
        assertTrue(r.out().contains("24GiB, 24G, 24000MiB"), r.out());
        assertTrue(r.out().contains("--kv-unified"), r.out());
    }

    /** The oracle's MLA model with different K and V types: llama.cpp refused every such context. */
    @Test
    void mlaWithDifferentCacheTypesIsRefusedWithLlamaCppsReason() throws Exception {
        String mla = TestFiles.oracle("kv-cache/models/deepseek2-mla.gguf").toString();
        JsonNode r = json(mla, "--memory", "1GiB", "--ctx", "4096", "-ctk", "q8_0", "--to", "Q8_0");
        assertEquals("model does not support different K (q8_0) and V (f16) cache types", r.get("models").get(0).get("refusal").asText());
        JsonNode o = r.get("options").get(0);
        assertFalse(o.get("fits").asBoolean());
        assertTrue(o.get("totalBytes").isNull());
        assertTrue(r.get("best").isNull());
        CommandRun text = CommandRun.of("fit", mla, "--memory", "1GiB", "--ctx", "4096", "-ctk", "q8_0", "--to", "Q8_0");
        assertTrue(text.out().contains("llama.cpp refuses the context: model does not support different K (q8_0) and V (f16) cache types"),
                text.toString());
    }

    /** llama.cpp's own bytes for these contexts (kv-cache.tsv, kv-cache-stage2.tsv). */
    @Test
    void slidingWindowAndSequenceOptionsGiveLlamaCppsCaches() throws Exception {
        String gemma = TestFiles.oracle("kv-cache/models/gemma3-swa.gguf").toString();
        JsonNode windowed = json(gemma, "--memory", "1GiB", "--ctx", "4096", "--to", "Q8_0");
        assertEquals(4_718_592, windowed.get("models").get(0).get("kvCache").get("bytes").asLong());
        JsonNode full = json(gemma, "--memory", "1GiB", "--ctx", "4096", "--to", "Q8_0", "--swa-full");
        assertEquals(12_582_912, full.get("models").get(0).get("kvCache").get("bytes").asLong());
        String llama = TestFiles.oracle("kv-cache/models/llama-gqa.gguf").toString();
        JsonNode streams = json(llama, "--memory", "1GiB", "--ctx", "4096", "--parallel", "4", "--to", "Q8_0");
        JsonNode m = streams.get("models").get(0);
        assertEquals(4_194_304, m.get("kvCache").get("bytes").asLong());
        assertEquals(1024, m.get("kvCache").get("cells").asLong());
        assertEquals(4, m.get("kvCache").get("streams").asLong());
        assertEquals(8192, m.get("outputBytes").asLong());
        // llama.cpp's compute buffer for this context was 5,781,504 bytes; the estimate is within 10%
        assertEquals(5_781_504, m.get("computeBytes").asLong(), 578_150);
        JsonNode unified = json(llama, "--memory", "1GiB", "--ctx", "4096", "--parallel", "4", "--kv-unified", "--to", "Q8_0");
        assertEquals(4096, unified.get("models").get(0).get("kvCache").get("cells").asLong());
    }

    @Test
    void theFirstFailingFileInTheOrderGivenIsReported(@TempDir Path dir) throws Exception {
        Path garbage = dir.resolve("garbage.gguf");
        java.nio.file.Files.write(garbage, new byte[] {'n', 'o', 'p', 'e', 0, 0, 0, 0});
        Path noWidth = dir.resolve("no-width.gguf");
        GgufWriter.write(noWidth, GgufWriter.layout(List.of(new MetadataEntry("general.architecture", GgufValue.Str.of("llama")),
                u32("llama.block_count", 2)), List.of(new GgufWriter.TensorSpec("output_norm.weight", new long[] {8}, GgmlType.F32))),
                (TensorInfo t, WritableByteChannel ch) -> ch.write(ByteBuffer.allocate((int) t.bytes())));
        CommandRun missing = CommandRun.of("fit", TINY, dir.resolve("absent.gguf").toString(), garbage.toString(), "-m", "1G");
        assertEquals(5, missing.exitCode(), missing.toString());
        assertTrue(missing.errLines().getFirst().contains("absent.gguf: no such file"), missing.toString());
        assertEquals("", missing.out());
        CommandRun invalid = CommandRun.of("fit", garbage.toString(), TINY, "-m", "1G");
        assertEquals(3, invalid.exitCode(), invalid.toString());
        assertTrue(invalid.errLines().getFirst().startsWith("gguflens: " + garbage), invalid.toString());
        // a model llama.cpp could not load for want of a key is invalid, and says which key
        CommandRun keys = CommandRun.of("fit", TINY, noWidth.toString(), "-m", "1G", "--to", "F16");
        assertEquals(3, keys.exitCode(), keys.toString());
        assertTrue(keys.errLines().getFirst().endsWith("no-width.gguf: key 'llama.embedding_length' is missing: llama.cpp cannot load the model"),
                keys.toString());
    }

    /**
     * A Mamba model shaped as the one measured in testdata/memory (n_embd 256, 4 layers, d_state 16): its state is
     * llama.cpp's 155,648 bytes; an RWKV model's is unverified and its compute buffer a lower bound, which the
     * output says.
     */
    @Test
    void recurrentModelsShowTheirStateAndWhatIsUnverified(@TempDir Path dir) throws Exception {
        Path mamba = recurrentModel(dir.resolve("mamba.gguf"), "mamba", List.of(u32("mamba.ssm.conv_kernel", 4),
                u32("mamba.ssm.inner_size", 512), u32("mamba.ssm.state_size", 16), u32("mamba.ssm.time_step_rank", 16)));
        JsonNode m = json(mamba.toString(), "--memory", "1GiB", "--ctx", "4096", "--to", "F16").get("models").get(0);
        assertEquals("recurrent", m.get("memory").asText());
        assertEquals(155_648, m.get("recurrentState").get("bytes").asLong());
        assertEquals(0, m.get("kvCache").get("bytes").asLong());
        assertFalse(m.get("computeLowerBound").asBoolean());
        assertEquals(0, m.get("notes").size());
        Path rwkv = recurrentModel(dir.resolve("rwkv.gguf"), "rwkv6", List.of(u32("rwkv6.wkv.head_size", 64)));
        JsonNode r = json(rwkv.toString(), "--memory", "1GiB", "--ctx", "4096", "--to", "F16").get("models").get(0);
        // r: 2 x 256 floats, s: 256 x 64 floats, per layer
        assertEquals(4L * (2 * 256 + 256 * 64) * 4, r.get("recurrentState").get("bytes").asLong());
        assertTrue(r.get("computeLowerBound").asBoolean());
        CommandRun text = CommandRun.of("fit", rwkv.toString(), "--memory", "1GiB", "--ctx", "4096", "--to", "F16");
        assertTrue(text.out().contains("unverified: the recurrent state follows llama-memory-recurrent.cpp but was not measured for rwkv6"),
                text.toString());
        String row = text.outLines().stream().filter(l -> l.startsWith("  yes ")).findFirst().orElseThrow();
        assertTrue(row.contains(" >="), row);
    }

    private static MetadataEntry u32(String key, long v) {
        return new MetadataEntry(key, GgufValue.Int.u32(v));
    }

    /** A 4-layer recurrent model of n_embd 256 and 512 tokens: its keys, and F16 embeddings with zero data. */
    private static Path recurrentModel(Path out, String arch, List<MetadataEntry> keys) throws Exception {
        List<MetadataEntry> md = new ArrayList<>(List.of(new MetadataEntry("general.architecture", GgufValue.Str.of(arch)),
                u32(arch + ".context_length", 1 << 20), u32(arch + ".embedding_length", 256), u32(arch + ".block_count", 4)));
        md.addAll(keys);
        md.add(new MetadataEntry("tokenizer.ggml.tokens", GgufArray.ofStrings(Collections.nCopies(512, "t"))));
        List<GgufWriter.TensorSpec> tensors = List.of(new GgufWriter.TensorSpec("token_embd.weight", new long[] {256, 512}, GgmlType.F16),
                new GgufWriter.TensorSpec("output_norm.weight", new long[] {256}, GgmlType.F32));
        GgufWriter.write(out, GgufWriter.layout(md, tensors), (TensorInfo t, WritableByteChannel ch) -> {
            ByteBuffer zeros = ByteBuffer.allocate((int) t.bytes());
            while (zeros.hasRemaining()) {
                ch.write(zeros);
            }
        });
        return out;
    }

    private static List<String> ftypes(JsonNode r) {
        List<String> out = new ArrayList<>();
        r.get("options").forEach(o -> out.add(o.get("ftype").asText()));
        return out;
    }
}
