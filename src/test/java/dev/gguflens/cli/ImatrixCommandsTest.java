package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.imatrix.ImatrixEntry;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.ImatrixFiles;
import dev.gguflens.testing.ImatrixFiles.Entry;
import dev.gguflens.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --imatrix FILE} through the command line: simulate --error and quantize take it (GGUF or legacy), say which
 * tensors went without weights, refuse as llama-quantize refuses, refuse --assume-imatrix where values are needed,
 * and reject bad imatrix files in one line. The shipped model and its imatrix (testdata) make every case.
 */
class ImatrixCommandsTest {
    private static final String MODEL = TestFiles.testdata("tiny-gqa-f16.gguf").toString();
    private static final Path IMATRIX = TestFiles.testdata("imatrix-tiny-gqa.gguf");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The shipped imatrix's entries (count 1, so the sums are the values), changed by {@code edit}, written to a new file. */
    private Path imatrixWith(String name, Consumer<Map<String, Entry>> edit) throws Exception {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (ImatrixEntry e : ImatrixFile.read(IMATRIX).entries().values()) {
            entries.put(e.name(), Entry.of(e.values()));
        }
        edit.accept(entries);
        return ImatrixFiles.gguf(dir.resolve(name), ImatrixFiles.metadata("synthetic-seeded", 1), entries, GgmlType.F32);
    }

    // --- usage ---

    @Test
    void anAssumedImatrixCannotBeMeasuredOrWritten() {
        CommandRun sim = CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--error", "--assume-imatrix");
        assertEquals(ExitCode.USAGE, sim.exitCode(), sim.toString());
        assertTrue(sim.err().contains("--assume-imatrix plans types only"), sim.err());
        assertTrue(sim.err().contains("--imatrix FILE"), sim.err());

        Path out = dir.resolve("out.gguf");
        CommandRun q = CommandRun.of("quantize", "--assume-imatrix", MODEL, out.toString(), "Q4_K_M");
        assertEquals(ExitCode.USAGE, q.exitCode(), q.toString());
        assertTrue(q.err().contains("--assume-imatrix only plans types"), q.err());
        assertFalse(Files.exists(out));

        CommandRun fit = CommandRun.of("fit", MODEL, "-m", "1G", "--error", "--assume-imatrix");
        assertEquals(ExitCode.USAGE, fit.exitCode(), fit.toString());
        assertTrue(fit.err().contains("--assume-imatrix plans types only"), fit.err());
    }

    @Test
    void compareImatrixNeedsErrorAndAnImatrixFile() {
        CommandRun noError = CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--imatrix", IMATRIX.toString(), "--compare-imatrix");
        assertEquals(ExitCode.USAGE, noError.exitCode());
        assertTrue(noError.err().contains("--compare-imatrix needs --error"), noError.err());
        CommandRun noFile = CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--error", "--compare-imatrix");
        assertEquals(ExitCode.USAGE, noFile.exitCode());
        assertTrue(noFile.err().contains("and --imatrix FILE"), noFile.err());
    }

    // --- bad imatrix files: one line on stderr, exit 3 (format) or 4 (llama-quantize refuses) ---

    @Test
    void badImatrixFilesFailInOneLineInBothCommands() throws Exception {
        Path truncated = dir.resolve("truncated.gguf");
        byte[] b = Files.readAllBytes(IMATRIX);
        Files.write(truncated, java.util.Arrays.copyOf(b, b.length / 3));
        Path mismatched = imatrixWith("mismatched.gguf", m -> { });
        byte[] mb = Files.readAllBytes(mismatched);
        String s = new String(mb, java.nio.charset.StandardCharsets.ISO_8859_1).replace("blk.1.attn_v.weight.counts", "blk.1.attn_v.weight.countz");
        Files.write(mismatched, s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Path f16 = ImatrixFiles.gguf(dir.resolve("f16.gguf"), ImatrixFiles.metadata("d", 1), Map.of("output.weight", Entry.of(new float[256])),
                GgmlType.F16);
        Path badDat = ImatrixFiles.legacy(dir.resolve("bad.dat"), Map.of("output.weight", new float[256]), 1, null, null);
        byte[] db = Files.readAllBytes(badDat);
        Files.write(badDat, java.util.Arrays.copyOf(db, db.length - 8));

        Map<Path, String> expected = new LinkedHashMap<>();
        expected.put(truncated, "imatrix file " + truncated + ": ");
        expected.put(mismatched, "mismatched sums and counts for blk.1.attn_v.weight (no blk.1.attn_v.weight.counts)");
        expected.put(f16, "imatrix tensor 'output.weight.");
        expected.put(badDat, "entry 1 (output.weight) has 256 values, but 254 are left in the file");
        for (Map.Entry<Path, String> e : expected.entrySet()) {
            Path out = dir.resolve("out.gguf");
            for (CommandRun r : List.of(
                    CommandRun.of("simulate", MODEL, "--to", "Q8_0", "--error", "--imatrix", e.getKey().toString()),
                    CommandRun.of("quantize", "--imatrix", e.getKey().toString(), MODEL, out.toString(), "Q8_0"))) {
                assertEquals(ExitCode.INVALID_GGUF, r.exitCode(), e.getKey() + ": " + r);
                assertEquals(1, r.errLines().size(), r.toString());
                assertTrue(r.err().contains(e.getValue()), e.getKey() + ": " + r.err());
                assertTrue(r.out().isEmpty());
                assertFalse(Files.exists(out));
            }
        }
    }

    @Test
    void aNonFiniteValueIsRefusedAsTheLibraryRefusesIt() throws Exception {
        Path nan = imatrixWith("nan.gguf", m -> m.get("blk.0.ffn_up.weight").sums()[3] = Float.NaN);
        Path out = dir.resolve("out.gguf");
        CommandRun r = CommandRun.of("quantize", "--imatrix", nan.toString(), MODEL, out.toString(), "Q4_K_M");
        assertEquals(ExitCode.IMPOSSIBLE, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().contains("imatrix contains non-finite value nan"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void llamaQuantizesRefusalsForEntries() throws Exception {
        Path noFfnDown = imatrixWith("no-ffn-down.gguf", m -> m.remove("blk.1.ffn_down.weight"));
        Path out = dir.resolve("out.gguf");
        // IQ2_XS on 2 layers keeps ffn_down iq2_xs, which requires an imatrix entry.
        CommandRun missing = CommandRun.of("quantize", "--imatrix", noFfnDown.toString(), MODEL, out.toString(), "IQ2_XS");
        assertEquals(ExitCode.IMPOSSIBLE, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("Missing importance matrix for tensor blk.1.ffn_down.weight in a very low-bit quantization"),
                missing.err());
        assertFalse(Files.exists(out));

        Path shortQ = imatrixWith("short.gguf", m -> m.put("blk.0.attn_q.weight", Entry.of(new float[128])));
        CommandRun size = CommandRun.of("simulate", MODEL, "--to", "Q8_0", "--error", "--imatrix", shortQ.toString());
        assertEquals(ExitCode.IMPOSSIBLE, size.exitCode(), size.toString());
        assertTrue(size.err().contains("imatrix size 128 is different from tensor size 256 for blk.0.attn_q.weight"), size.err());
    }

    @Test
    void quantizeNamesTheTensorsItQuantizedWithoutWeights() throws Exception {
        Path noQ = imatrixWith("no-q.gguf", m -> {
            m.remove("blk.0.attn_q.weight");
            // token_embd with an entry of another length: llama-quantize quantizes it without weights instead of failing.
            m.put("token_embd.weight", Entry.of(new float[7]));
        });
        Path out = dir.resolve("q8.gguf");
        CommandRun r = CommandRun.of("quantize", "--imatrix", noQ.toString(), MODEL, out.toString(), "Q8_0");
        assertEquals(0, r.exitCode(), r.toString());
        // In output order: token_embd comes before the layers.
        assertEquals(List.of("gguflens: the imatrix entry of token_embd.weight does not match its size: quantized without importance weights",
                "gguflens: did not find weights for blk.0.attn_q.weight: quantized without importance weights"), r.errLines());
        // 16 converted tensors (5 norms copied); 14 have their weights.
        assertTrue(r.out().contains("importance matrix " + noQ + " (weights for 14 of 16 quantized tensors)"), r.out());

        // Q8_0 ignores weights: every tensor's bytes are those of the run without an imatrix.
        Path plain = dir.resolve("plain.gguf");
        assertEquals(0, CommandRun.of("quantize", MODEL, plain.toString(), "Q8_0").exitCode());
        assertSameTensorData(out, plain);
    }

    @Test
    void aLegacyImatrixGivesTheSameFileDataAsTheSameValuesInGguf() throws Exception {
        Map<String, float[]> stored = new LinkedHashMap<>();
        for (ImatrixEntry e : ImatrixFile.read(IMATRIX).entries().values()) {
            float[] v = e.values().clone();
            // The legacy writer stored mean x ncall: with ncall 4, values x 4 (exact in binary) divide back to the mean.
            for (int i = 0; i < v.length; i++) {
                v[i] *= 4;
            }
            stored.put(e.name(), v);
        }
        Path dat = ImatrixFiles.legacy(dir.resolve("imatrix.dat"), stored, 4, 1, "synthetic-seeded");
        Path fromGguf = dir.resolve("gguf.gguf");
        Path fromDat = dir.resolve("dat.gguf");
        assertEquals(0, CommandRun.of("quantize", "--imatrix", IMATRIX.toString(), MODEL, fromGguf.toString(), "Q4_K_M").exitCode());
        CommandRun r = CommandRun.of("quantize", "--imatrix", dat.toString(), MODEL, fromDat.toString(), "Q4_K_M");
        assertEquals(0, r.exitCode(), r.toString());
        assertSameTensorData(fromGguf, fromDat);
        try (GgufFile f = GgufReader.open(fromDat)) {
            assertEquals("synthetic-seeded", f.string("quantize.imatrix.dataset").orElseThrow());
            assertEquals(15, f.integer("quantize.imatrix.entries_count").orElseThrow());
            assertEquals(dat.toString(), f.string("quantize.imatrix.file").orElseThrow());
        }
    }

    @Test
    void includeAndExcludeWeightsFilterTheEntriesAsLlamaQuantizeDoes() throws Exception {
        Path out = dir.resolve("excluded.gguf");
        CommandRun r = CommandRun.of("quantize", "--imatrix", IMATRIX.toString(), "--exclude-weights", "attn_q", MODEL, out.toString(), "Q8_0");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("did not find weights for blk.0.attn_q.weight") && r.err().contains("did not find weights for blk.1.attn_q.weight"),
                r.err());
        try (GgufFile f = GgufReader.open(out)) {
            // 15 entries less the two attn_q: the key counts the entries after filtering.
            assertEquals(13, f.integer("quantize.imatrix.entries_count").orElseThrow());
        }
        Path included = dir.resolve("included.gguf");
        CommandRun i = CommandRun.of("quantize", "--imatrix", IMATRIX.toString(), "--include-weights", "ffn_down", "--include-weights",
                "output", MODEL, included.toString(), "Q8_0");
        assertEquals(0, i.exitCode(), i.toString());
        try (GgufFile f = GgufReader.open(included)) {
            // blk.0/1.ffn_down, blk.0/1.attn_output and output.weight contain "ffn_down" or "output".
            assertEquals(5, f.integer("quantize.imatrix.entries_count").orElseThrow());
        }
        CommandRun both = CommandRun.of("simulate", MODEL, "--to", "Q8_0", "--imatrix", IMATRIX.toString(), "--include-weights", "a",
                "--exclude-weights", "b");
        assertEquals(ExitCode.USAGE, both.exitCode());
        assertTrue(both.err().contains("--include-weights and --exclude-weights cannot be used together"), both.err());
        CommandRun alone = CommandRun.of("quantize", "--exclude-weights", "b", MODEL, dir.resolve("x.gguf").toString(), "Q8_0");
        assertEquals(ExitCode.USAGE, alone.exitCode());
        assertTrue(alone.err().contains("give one with --imatrix FILE"), alone.err());
    }

    private static void assertSameTensorData(Path a, Path b) throws Exception {
        try (GgufFile x = GgufReader.open(a); GgufFile y = GgufReader.open(b)) {
            assertEquals(x.tensors().size(), y.tensors().size());
            for (int i = 0; i < x.tensors().size(); i++) {
                TensorInfo t = x.tensors().get(i);
                TensorInfo u = y.tensors().get(i);
                assertEquals(t.name(), u.name());
                assertEquals(t.type(), u.type(), t.name());
                assertArrayEquals(x.tensorData(t).toArray(ValueLayout.JAVA_BYTE), y.tensorData(u).toArray(ValueLayout.JAVA_BYTE), t.name());
            }
        }
    }

    // --- simulate --error --imatrix and --compare-imatrix ---

    @Test
    void simulateSaysWhichImatrixItUsedAndWhatWentWithoutWeights() throws Exception {
        CommandRun text = CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--error", "--imatrix", IMATRIX.toString(), "--no-tensors");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains(IMATRIX + ": 15 entries, 1 chunk; adds its quantize.imatrix.* keys;"
                + " quantized without its weights: token_embd.weight (no entry)"), text.out());
        JsonNode j = JSON.readTree(CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--error", "--json", "--imatrix",
                IMATRIX.toString(), "--no-tensors").out());
        assertEquals("file", j.get("options").get("imatrix").asText());
        assertEquals(IMATRIX.toString(), j.get("options").get("imatrixFile").asText());
        assertEquals(1, j.get("unweightedTensors").size());
        assertEquals("token_embd.weight", j.get("unweightedTensors").get(0).get("name").asText());
        assertEquals("noEntry", j.get("unweightedTensors").get(0).get("reason").asText());

        // Per tensor: the 16 converted tensors say whether they had weights (15 did); the 5 kept norms say nothing.
        JsonNode tensors = JSON.readTree(CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--json", "--imatrix", IMATRIX.toString()).out())
                .get("tensors");
        int weighted = 0;
        int unweighted = 0;
        for (JsonNode t : tensors) {
            if (t.has("weighted")) {
                if (t.get("weighted").asBoolean()) {
                    weighted++;
                } else {
                    unweighted++;
                    assertEquals("token_embd.weight", t.get("name").asText());
                }
            }
        }
        assertEquals(15, weighted);
        assertEquals(1, unweighted);
        CommandRun table = CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--imatrix", IMATRIX.toString(), "--tensors", "token_embd");
        assertTrue(table.out().contains("; no imatrix entry: quantized without weights"), table.out());
    }

    @Test
    void compareImatrixPutsBothErrorsSideBySide() throws Exception {
        String[] args = {"simulate", MODEL, "--to", "Q4_K_M,Q2_K_S", "--error", "--imatrix", IMATRIX.toString(), "--compare-imatrix"};
        CommandRun text = CommandRun.of(args);
        assertEquals(0, text.exitCode(), text.toString());
        String header = text.outLines().stream().filter(l -> l.contains("FILE TYPE")).findFirst().orElseThrow();
        assertTrue(header.contains("REL RMSE") && header.contains("NO IMATRIX"), header);
        // Q2_K_S requires an imatrix: only the weighted run has an error.
        String q2ks = text.outLines().stream().filter(l -> l.trim().startsWith("Q2_K_S")).findFirst().orElseThrow();
        assertTrue(q2ks.contains("needs one"), q2ks);

        List<String> json = new ArrayList<>(List.of(args));
        json.add("--json");
        JsonNode results = JSON.readTree(CommandRun.of(json.toArray(String[]::new)).out()).get("results");
        for (JsonNode r : results) {
            JsonNode without = r.get("withoutImatrix");
            assertEquals("ok", r.get("status").asText());
            if (r.get("ftype").asText().equals("MOSTLY_Q2_K_S")) {
                assertEquals("failed", without.get("status").asText());
                assertTrue(without.get("message").asText().contains("requires an imatrix"), without.toString());
                assertTrue(without.get("error").isNull());
            } else {
                assertEquals("MOSTLY_Q4_K_M", r.get("ftype").asText());
                assertEquals("ok", without.get("status").asText());
                // Without an imatrix Q4_K_M picks the same types here: the same tensor bytes, its own error. The
                // files differ by the four quantize.imatrix.* keys (whose first value is the imatrix path as given,
                // so their size depends on where the test runs) and the padding after the header.
                assertEquals(r.get("tensorBytes").asLong(), without.get("tensorBytes").asLong());
                long keys = imatrixKeyBytes(IMATRIX.toString(), "synthetic-seeded");
                long grown = r.get("fileBytes").asLong() - without.get("fileBytes").asLong();
                assertTrue(grown >= keys - 31 && grown <= keys + 31, "the file grew by " + grown + " bytes for " + keys
                        + " bytes of keys (and up to 31 of padding either way)");
                assertTrue(without.get("error").get("sse").asDouble() > 0);
            }
        }

        CommandRun single = CommandRun.of("simulate", MODEL, "--to", "Q4_K_M", "--error", "--imatrix", IMATRIX.toString(),
                "--compare-imatrix", "--no-tensors");
        assertEquals(0, single.exitCode(), single.toString());
        assertTrue(single.out().contains("Without imatrix:"), single.out());
    }

    /**
     * The bytes of the four keys llama-quantize adds: each a u64 key length, the key, a u32 value type and the value
     * (gguf-format.md): {@code file} and {@code dataset} strings (u64 length + bytes), two u32 counts.
     */
    private static long imatrixKeyBytes(String file, String dataset) {
        long b = 0;
        for (String key : List.of("quantize.imatrix.file", "quantize.imatrix.dataset", "quantize.imatrix.entries_count",
                "quantize.imatrix.chunks_count")) {
            b += 8 + key.length() + 4;
        }
        return b + 8 + file.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 8 + dataset.length() + 4 + 4;
    }
}
