package dev.gguflens.cli;

import static dev.gguflens.cli.SimulateRuns.F16;
import static dev.gguflens.cli.SimulateRuns.IMATRIX;
import static dev.gguflens.cli.SimulateRuns.Q4KM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * llama-quantize's options, spelled as llama-quantize spells them, give llama.cpp's own results: the
 * numbers are the {@code extra}, {@code pure} and {@code imatrix} rows of expected-sizes.tsv and
 * expected-types.tsv for tiny-gqa F16.
 */
class SimulateOptionsTest {

    @Test
    void pureGivesEveryWeightTheDefaultType() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "Q4_K_M", "--pure");
        assertEquals(829_248L, r.get("fileBytes").asLong(), "pure tiny-gqa F16 MOSTLY_Q4_K_M");
        assertTrue(r.get("options").get("pure").asBoolean());
        for (Map.Entry<String, String> e : SimulateRuns.targetTypes(r).entrySet()) {
            assertEquals(e.getKey().endsWith("_norm.weight") ? "F32" : "Q4_K", e.getValue(), e.getKey());
        }
    }

    @Test
    void outputTensorType() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "Q4_K_M", "--output-tensor-type", "q8_0");
        assertEquals(937_024L, r.get("fileBytes").asLong(), "extra ... MOSTLY_Q4_K_M output_tensor_type=Q8_0");
        assertEquals("Q8_0", SimulateRuns.tensor(r, "output.weight").get("targetType").asText());
        assertEquals(139_264L, SimulateRuns.tensor(r, "output.weight").get("bytes").asLong());
        assertEquals("Q8_0", r.get("options").get("outputTensorType").asText());
    }

    @Test
    void tokenEmbeddingType() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "Q8_0,Q4_K_M", "--token-embedding-type", "q4_0");
        assertEquals(1_484_608L, SimulateRuns.result(r, "MOSTLY_Q8_0").get("fileBytes").asLong(),
                "extra ... MOSTLY_Q8_0 token_embedding_type=Q4_0");
        // Q4_0 and Q4_K both take 4.5 bits per weight: the size stays 905,280, the type does not.
        JsonNode q4km = SimulateRuns.result(r, "MOSTLY_Q4_K_M");
        assertEquals(905_280L, q4km.get("fileBytes").asLong());
        assertEquals("Q4_0", SimulateRuns.tensor(q4km, "token_embd.weight").get("targetType").asText());
        assertEquals("Q6_K", SimulateRuns.tensor(q4km, "output.weight").get("targetType").asText());
    }

    @Test
    void leaveOutputTensor() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "Q4_K_M", "--leave-output-tensor");
        assertEquals(1_059_904L, r.get("fileBytes").asLong(), "extra ... MOSTLY_Q4_K_M quantize_output_tensor=false");
        JsonNode output = SimulateRuns.tensor(r, "output.weight");
        assertEquals("F16", output.get("targetType").asText());
        assertEquals(262_144L, output.get("bytes").asLong());
        assertEquals("kept: --leave-output-tensor", output.get("reason").asText());
    }

    @Test
    void tensorTypePatternsAreSearchedAndLowerCased() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "Q4_K_M", "--tensor-type", "ATTN_V=Q8_0");
        assertEquals(929_600L, r.get("fileBytes").asLong(), "extra ... MOSTLY_Q4_K_M tensor_types=attn_v=q8_0");
        assertEquals("Q8_0", SimulateRuns.tensor(r, "blk.0.attn_v.weight").get("targetType").asText());
        assertEquals("Q8_0", SimulateRuns.tensor(r, "blk.1.attn_v.weight").get("targetType").asText());
        assertEquals(34_816L, SimulateRuns.tensor(r, "blk.1.attn_v.weight").get("bytes").asLong());
        JsonNode tt = r.get("options").get("tensorTypes");
        assertEquals(1, tt.size());
        assertEquals("attn_v", tt.get(0).get("pattern").asText());
        assertEquals("Q8_0", tt.get(0).get("type").asText());
    }

    @Test
    void repeatedTensorTypesKeepTheirOrderFirstMatchWins() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "Q4_K_M", "--tensor-type", "blk\\.1\\.attn_v=q5_0", "--tensor-type", "attn_v=q8_0");
        assertEquals("Q5_0", SimulateRuns.tensor(r, "blk.1.attn_v.weight").get("targetType").asText());
        assertEquals("Q8_0", SimulateRuns.tensor(r, "blk.0.attn_v.weight").get("targetType").asText());
    }

    @Test
    void assumedImatrixIsTheOracleImatrixRun() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "IQ2_M", "--assume-imatrix");
        assertEquals(564_032L, r.get("fileBytes").asLong(), "imatrix tiny-gqa F16 MOSTLY_IQ2_M");
        assertEquals("assumed", r.get("options").get("imatrix").asText());
        assertTrue(r.get("imatrixRequired").asBoolean());
        assertFalse(r.has("withImatrix"), "the plan already has one");
    }

    /**
     * {@code --imatrix FILE} plans the same types as {@code --assume-imatrix} and adds llama-quantize's four
     * keys, each a GGUF key (u64 length + bytes), a u32 type and its value:
     * quantize.imatrix.file (21 chars) = the path as typed (u64 length + bytes, at most 127 of them): 41 + path;
     * quantize.imatrix.dataset (24) = "synthetic-seeded" (16): 8 + 24 + 4 + 8 + 16 = 60;
     * quantize.imatrix.entries_count (30) = u32 15: 8 + 30 + 4 + 4 = 46;
     * quantize.imatrix.chunks_count (29) = u32 1: 8 + 29 + 4 + 4 = 45.
     * The header grows by those bytes and is padded to 32 again.
     */
    @Test
    void imatrixFileAddsTheFourKeysToTheHeader() throws Exception {
        JsonNode assumed = SimulateRuns.json(F16, "--to", "IQ2_M", "--assume-imatrix");
        JsonNode withFile = SimulateRuns.json(F16, "--to", "IQ2_M", "--imatrix", IMATRIX);
        long header;
        try (GgufFile sameKeys = GgufReader.open(TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))) {
            // llama.cpp's Q4_K_M output: the same keys and tensor names as any output of this source.
            header = sameKeys.headerEnd();
        }
        long path = Math.min(127, IMATRIX.getBytes(StandardCharsets.UTF_8).length);
        long keys = 41 + path + 60 + 46 + 45;
        long expected = assumed.get("fileBytes").asLong() - align32(header) + align32(header + keys);
        assertEquals(expected, withFile.get("fileBytes").asLong());
        assertEquals(assumed.get("tensorBytes").asLong(), withFile.get("tensorBytes").asLong(), "the same tensors");
        assertEquals(SimulateRuns.targetTypes(assumed), SimulateRuns.targetTypes(withFile));
        assertEquals("file", withFile.get("options").get("imatrix").asText());
        assertEquals(IMATRIX, withFile.get("options").get("imatrixFile").asText());
        assertEquals(15, withFile.get("options").get("imatrixEntries").asInt(), "oracle README: 15 entries");
    }

    @Test
    void withoutAnImatrixAllSaysWhatOneWouldGive() throws Exception {
        JsonNode all = SimulateRuns.json(F16, "--all");
        JsonNode iq2m = SimulateRuns.result(all, "MOSTLY_IQ2_M");
        assertEquals("failed", iq2m.get("status").asText());
        assertTrue(iq2m.get("imatrixRequired").asBoolean());
        assertEquals(564_032L, iq2m.get("withImatrix").get("fileBytes").asLong(), "imatrix tiny-gqa F16 MOSTLY_IQ2_M");
        JsonNode q4km = SimulateRuns.result(all, "MOSTLY_Q4_K_M");
        assertFalse(q4km.get("imatrixRequired").asBoolean());
        assertFalse(q4km.has("withImatrix"), "an imatrix changes no Q4_K_M type of this model");
        JsonNode nvfp4 = SimulateRuns.result(all, "MOSTLY_NVFP4");
        assertFalse(nvfp4.get("imatrixRequired").asBoolean(), "refused with or without one");
        assertFalse(nvfp4.has("withImatrix"));
    }

    @Test
    void textSaysWhichFileTypesNeedAnImatrixAndTheirSizeWithOne() {
        String out = SimulateRuns.ok(F16, "--to", "IQ2_M,Q4_K_M").out();
        String row = out.lines().filter(l -> l.strip().startsWith("IQ2_M ")).findFirst().orElseThrow(() -> new AssertionError(out));
        // 564,032 bytes = 550.81 KiB; 550,912 tensor bytes x 8 / 1,443,072 = 3.054 bits per weight.
        assertTrue(row.matches("\\s*IQ2_M\\s+failed\\s+-\\s+-\\s+-\\s+-\\s+needs an imatrix; with one: 550\\.81 KiB, 3\\.05 bpw"), row);
    }

    /** A quantized source is planned as llama-quantize --allow-requantize would convert it, and the output says so. */
    @Test
    void requantizationIsSimulatedAndSaidSo() throws Exception {
        JsonNode r = SimulateRuns.json(Q4KM, "--to", "Q8_0");
        // Q8_0 gives every weight Q8_0 whatever the source's types, and the output's keys are the same as from the
        // F16 source (general.quantization_version and general.file_type are re-set): 1,550,144 bytes, as main ... Q8_0.
        assertEquals(1_550_144L, r.get("fileBytes").asLong());
        assertEquals(List.of("Q4_K", "Q6_K"), SimulateRuns.strings(r.get("sourceQuantizedTypes")), "most bytes first");
        assertTrue(r.get("options").get("allowRequantize").asBoolean());
        assertEquals(16, r.get("requantizedTensors").asInt(), "16 quantized weights change type; 5 F32 norms are copied");
        assertEquals("Q6_K", SimulateRuns.tensor(r, "output.weight").get("sourceType").asText());

        String text = SimulateRuns.ok(Q4KM, "--to", "Q8_0", "--no-tensors").out();
        assertTrue(text.contains("Requantization:"), text);
        assertTrue(text.contains("already quantized (Q4_K, Q6_K)"), text);
        assertTrue(text.contains("--allow-requantize"), text);
        assertTrue(text.contains("16 of them requantized"), text);
    }

    private static long align32(long n) {
        return (n + 31) / 32 * 32;
    }
}
