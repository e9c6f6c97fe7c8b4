package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.imatrix.ImatrixEntry;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.ImatrixFiles;
import dev.gguflens.testing.ImatrixFiles.Entry;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gguflens inspect IMATRIX [--model FILE]}: the summary of an importance matrix and its coverage of a model. */
class InspectImatrixTest {
    private static final Path MODEL = TestFiles.testdata("tiny-gqa-f16.gguf");
    private static final Path IMATRIX = TestFiles.testdata("imatrix-tiny-gqa.gguf");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theShippedImatrixIsSummarized() {
        CommandRun r = CommandRun.of("inspect", IMATRIX.toString());
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.outLines();
        assertTrue(lines.contains("Format:             llama.cpp's GGUF imatrix"), r.out());
        assertTrue(lines.contains("Datasets:           \"synthetic-seeded\""), r.out());
        assertTrue(lines.contains("Chunks:             1 of 512 tokens"), r.out());
        // 13 entries of 256 values and the two ffn_down of 512 (n_ff): 4,352 values.
        assertTrue(lines.contains("Entries:            15 (4,352 values; 0 expert slices that never saw a token, weighted 1)"), r.out());
        assertTrue(lines.contains("Finite:             every value"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("  blk\\.0\\.ffn_down\\.weight +512 +1 +0 +1 .*")), r.out());
        assertTrue(r.err().isEmpty(), r.err());
    }

    @Test
    void theJsonCarriesEveryEntry() throws Exception {
        CommandRun r = CommandRun.of("inspect", "--json", IMATRIX.toString());
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode top = JSON.readTree(r.out());
        assertEquals(1, top.get("schemaVersion").asInt());
        assertEquals("imatrix", top.get("kind").asText());
        // Still a GGUF file: the container's fields (30 tensors: in_sum2 and counts of 15 weights), then the imatrix.
        assertEquals(30, top.get("tensors").size());
        JsonNode j = top.get("imatrix");
        assertEquals("gguf", j.get("format").asText());
        assertEquals(15, j.get("entriesCount").asInt());
        assertEquals(15, j.get("entries").size());
        assertEquals(4352, j.get("values").asLong());
        assertEquals(512, j.get("chunkSize").asInt());
        assertTrue(j.get("nonFiniteValue").isNull());
        JsonNode first = j.get("entries").get(0);
        assertEquals("blk.0.attn_k.weight", first.get("name").asText());
        assertEquals(256, first.get("length").asInt());
        assertEquals(1.0, first.get("counts").get(0).asDouble());
        assertFalse(j.has("model"));
        assertEquals(ExitCode.USAGE, CommandRun.of("inspect", "--markdown", IMATRIX.toString()).exitCode());
    }

    @Test
    void againstItsModelItCoversEveryWeightButTheTokenEmbedding() throws Exception {
        CommandRun r = CommandRun.of("inspect", "--json", IMATRIX.toString(), "--model", MODEL.toString());
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode m = JSON.readTree(r.out()).get("imatrix").get("model");
        // 16 quantizable weights (2 layers x 7, output, token_embd); llama-imatrix never collects token_embd.
        assertEquals(16, m.get("weights").asInt());
        assertEquals(15, m.get("covered").size());
        assertEquals(1, m.get("missing").size());
        assertEquals("token_embd.weight", m.get("missing").get(0).get("name").asText());
        assertEquals(0, m.get("missing").get(0).get("requiredBy").size(), "token embeddings never require an imatrix");
        assertEquals(0, m.get("lengthMismatches").size());
        assertEquals(0, m.get("unusedEntries").size());
    }

    @Test
    void aMissingLayerWeightIsOneTheLowBitTypesWouldRefuse() throws Exception {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (ImatrixEntry e : ImatrixFile.read(IMATRIX).entries().values()) {
            entries.put(e.name(), Entry.of(e.values()));
        }
        entries.remove("blk.0.attn_q.weight");
        entries.put("blk.0.attn_k.weight", Entry.of(new float[100]));
        entries.put("blk.9.ffn_up.weight", Entry.of(new float[256]));
        Path m = ImatrixFiles.gguf(dir.resolve("partial.gguf"), ImatrixFiles.metadata("d", 2), entries, GgmlType.F32);
        JsonNode model = JSON.readTree(CommandRun.of("inspect", "--json", m.toString(), "--model", MODEL.toString()).out())
                .get("imatrix").get("model");
        JsonNode q = null;
        for (JsonNode x : model.get("missing")) {
            if (x.get("name").asText().equals("blk.0.attn_q.weight")) {
                q = x;
            }
        }
        List<String> requiredBy = new ArrayList<>();
        q.get("requiredBy").forEach(f -> requiredBy.add(f.asText()));
        // llama-quantize-rules.md §10.1: attn_q gets iq2_xxs, iq3_xxs (IQ3_XS too) and q2_K in Q2_K_S, all requiring one.
        assertTrue(requiredBy.containsAll(List.of("MOSTLY_IQ2_XXS", "MOSTLY_IQ3_XS", "MOSTLY_IQ3_XXS", "MOSTLY_Q2_K_S")), requiredBy.toString());
        JsonNode mismatch = model.get("lengthMismatches").get(0);
        assertEquals("blk.0.attn_k.weight", mismatch.get("name").asText());
        assertEquals(100, mismatch.get("entryLength").asInt());
        assertEquals(256, mismatch.get("tensorLength").asInt());
        assertTrue(mismatch.get("fatal").asBoolean());
        assertEquals("blk.9.ffn_up.weight", model.get("unusedEntries").get(0).asText());

        CommandRun text = CommandRun.of("inspect", m.toString(), "--model", MODEL.toString());
        assertTrue(text.out().contains("Coverage:           13 of 16 quantizable weights covered; 2 without an entry; 1 of another length;"
                + " 1 entries for no weight of the model"), text.out());
        assertTrue(text.outLines().stream().anyMatch(l -> l.matches("  blk\\.0\\.attn_k\\.weight +100 +256 +fails every run that converts it")),
                text.out());
    }

    @Test
    void aLegacyImatrixIsRecognizedByItsFormat() throws Exception {
        Path dat = ImatrixFiles.legacy(dir.resolve("old.dat"), Map.of("output.weight", new float[] {2, 4}), 2, 10, "wiki");
        JsonNode top = JSON.readTree(CommandRun.of("inspect", "--json", dat.toString()).out());
        assertEquals("imatrix", top.get("kind").asText());
        assertEquals(Files.size(dat), top.get("fileBytes").asLong());
        assertFalse(top.has("version"), "a legacy file has no GGUF fields");
        JsonNode j = top.get("imatrix");
        assertEquals("legacy", j.get("format").asText());
        assertEquals(10, j.get("chunkCount").asInt());
        assertTrue(j.get("chunkSize").isNull());
        assertEquals(1.0, j.get("entries").get(0).get("min").asDouble());
        assertEquals(2.0, j.get("entries").get(0).get("max").asDouble());
        // Named anything else, it is still read by its content.
        Path renamed = Files.copy(dat, dir.resolve("imatrix.bin"));
        assertEquals(0, CommandRun.of("inspect", renamed.toString()).exitCode());
    }

    @Test
    void aBrokenDatFileFailsInOneLineAndANonImatrixAsNotGguf() throws Exception {
        Path dat = ImatrixFiles.legacy(dir.resolve("bad.dat"), Map.of("output.weight", new float[] {2, 4}), 2, null, null);
        byte[] b = Files.readAllBytes(dat);
        Files.write(dat, java.util.Arrays.copyOf(b, b.length - 2));
        CommandRun r = CommandRun.of("inspect", dat.toString());
        assertEquals(ExitCode.INVALID_GGUF, r.exitCode());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("entry 1 (output.weight) has 2 values, but 1 are left in the file"), r.err());

        Path junk = Files.write(dir.resolve("junk.bin"), new byte[] {'h', 'e', 'l', 'l', 'o', '!', '!', '!'});
        CommandRun j = CommandRun.of("inspect", junk.toString());
        assertEquals(ExitCode.INVALID_GGUF, j.exitCode());
        assertEquals(1, j.errLines().size(), j.toString());
        assertFalse(j.err().contains("legacy"), j.err());
    }

    @Test
    void modelAppliesOnlyToAnImatrix() {
        CommandRun r = CommandRun.of("inspect", MODEL.toString(), "--model", MODEL.toString());
        assertEquals(ExitCode.USAGE, r.exitCode());
        assertTrue(r.err().contains("--model applies to an importance matrix"), r.err());
    }
}
