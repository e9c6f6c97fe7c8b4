package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufValueType;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.Fixtures;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code inspect --json} on llama.cpp-written files says what ggml's own reader says (testdata/listings). */
class InspectJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** ggml's short value-type names (the listings) and the GGUF names our JSON uses. */
    private static final Map<String, String> VALUE_TYPES = Map.ofEntries(
            Map.entry("u8", "UINT8"), Map.entry("i8", "INT8"), Map.entry("u16", "UINT16"), Map.entry("i16", "INT16"),
            Map.entry("u32", "UINT32"), Map.entry("i32", "INT32"), Map.entry("f32", "FLOAT32"), Map.entry("bool", "BOOL"),
            Map.entry("str", "STRING"), Map.entry("arr", "ARRAY"), Map.entry("u64", "UINT64"), Map.entry("i64", "INT64"),
            Map.entry("f64", "FLOAT64"));

    static Stream<String> files() {
        return Stream.of("tiny-gqa-f16.gguf", "tiny-gqa-f16-MOSTLY_Q4_K_M.gguf");
    }

    /** Every llama.cpp-written file of the oracle (skipped, saying so, when the oracle is absent). */
    static Stream<Path> oracleFiles() throws Exception {
        try (Stream<Path> s = java.nio.file.Files.list(TestFiles.oracle("files"))) {
            return s.filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream();
        }
    }

    static JsonNode inspectJson(String... args) throws Exception {
        CommandRun run = CommandRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.err());
        return JSON.readTree(run.out());
    }

    private static JsonNode listing(String file) throws Exception {
        return JSON.readTree(TestFiles.testdata("listings/" + file + ".json").toFile());
    }

    @ParameterizedTest
    @MethodSource("files")
    void headerMetadataAndTensorsAreGgmlsListing(String file) throws Exception {
        compareWithListing(TestFiles.testdata(file), listing(file));
    }

    @ParameterizedTest
    @MethodSource("oracleFiles")
    void everyOracleFileIsGgmlsListing(Path file) throws Exception {
        JsonNode want = JSON.readTree(TestFiles.oracle("listings/" + file.getFileName() + ".json").toFile());
        compareWithListing(file, want);
        assertTotals(want, inspectJson("inspect", "--json", "--no-metadata", file.toString()));
    }

    private static void compareWithListing(Path path, JsonNode want) throws Exception {
        JsonNode got = inspectJson("inspect", "--json", path.toString());

        assertEquals(1, got.get("schemaVersion").asInt());
        assertEquals(want.get("version").asInt(), got.get("version").asInt());
        assertEquals("little", got.get("byteOrder").asText());
        assertEquals(want.get("alignment").asLong(), got.get("alignment").asLong());
        assertEquals(want.get("data_offset").asLong(), got.get("dataOffset").asLong());
        assertEquals(java.nio.file.Files.size(path), got.get("fileBytes").asLong());

        JsonNode kvs = want.get("kv");
        assertEquals(kvs.size(), got.get("metadata").size());
        for (int i = 0; i < kvs.size(); i++) {
            JsonNode w = kvs.get(i);
            JsonNode g = got.get("metadata").get(i);
            String key = w.get("key").asText();
            assertEquals(key, g.get("key").asText());
            assertEquals(VALUE_TYPES.get(w.get("type").asText()), g.get("type").asText(), key);
            if (w.get("type").asText().equals("arr")) {
                JsonNode v = g.get("value");
                String elementType = VALUE_TYPES.get(w.get("element_type").asText());
                assertEquals(elementType, v.get("elementType").asText(), key);
                assertEquals(w.get("count").asLong(), v.get("count").asLong(), key);
                assertEquals(w.get("count").asInt(), v.get("values").size(), key + ": JSON has every element");
                for (int e = 0; e < v.get("values").size(); e++) {
                    assertSameValue(elementType, w.get("value").get(e), v.get("values").get(e), key + "[" + e + "]");
                }
            } else {
                assertSameValue(VALUE_TYPES.get(w.get("type").asText()), w.get("value"), g.get("value"), key);
            }
        }

        JsonNode tensors = want.get("tensors");
        assertEquals(tensors.size(), got.get("tensors").size());
        for (int i = 0; i < tensors.size(); i++) {
            JsonNode w = tensors.get(i);
            JsonNode g = got.get("tensors").get(i);
            String name = w.get("name").asText();
            assertEquals(i, g.get("index").asInt());
            assertEquals(name, g.get("name").asText());
            assertEquals(w.get("ne"), g.get("shape"), name);
            // llama.cpp prints type names upper-case: q4_K -> Q4_K.
            assertEquals(w.get("type").asText().toUpperCase(Locale.ROOT), g.get("type").asText(), name);
            assertEquals(w.get("size").asLong(), g.get("bytes").asLong(), name);
            assertEquals(w.get("offset").asLong(), g.get("offset").asLong(), name);
        }
        assertEquals(0, got.get("warnings").size());
    }

    private static void assertSameValue(String type, JsonNode want, JsonNode got, String what) {
        switch (type) {
            case "STRING" -> assertEquals(want.asText(), got.asText(), what);
            case "BOOL" -> assertEquals(want.asBoolean(), got.asBoolean(), what);
            case "FLOAT32" -> assertEquals(Float.floatToIntBits(Float.parseFloat(want.asText())),
                    Float.floatToIntBits(Float.parseFloat(got.asText())), what);
            case "FLOAT64" -> assertEquals(want.asDouble(), got.asDouble(), what);
            default -> {
                assertTrue(got.isIntegralNumber(), what + " is an integer: " + got);
                assertEquals(want.bigIntegerValue(), got.bigIntegerValue(), what);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void summaryTotalsAreTheSumsOverTheListing(String file) throws Exception {
        assertTotals(listing(file), inspectJson("inspect", "--json", TestFiles.testdata(file).toString()));
    }

    /** Parameters, bytes, bits per weight and the per-type rows, summed by hand over ggml's listing. */
    private static void assertTotals(JsonNode want, JsonNode got) {
        long parameters = 0;
        long bytes = 0;
        Map<String, long[]> byType = new LinkedHashMap<>();
        for (JsonNode t : want.get("tensors")) {
            long n = 1;
            for (JsonNode d : t.get("ne")) {
                n *= d.asLong();
            }
            parameters += n;
            bytes += t.get("size").asLong();
            long[] row = byType.computeIfAbsent(t.get("type").asText().toUpperCase(Locale.ROOT), k -> new long[3]);
            row[0]++;
            row[1] += n;
            row[2] += t.get("size").asLong();
        }
        JsonNode s = got.get("summary");
        assertEquals(parameters, s.get("parameters").asLong());
        assertEquals(bytes, s.get("tensorBytes").asLong());
        assertEquals(bytes * 8.0 / parameters, s.get("bitsPerWeight").asDouble(), 1e-12);
        assertEquals(want.get("n_tensors").asInt(), s.get("tensorCount").asInt());

        assertEquals(byType.size(), got.get("types").size());
        long previousBytes = Long.MAX_VALUE;
        for (JsonNode t : got.get("types")) {
            long[] row = byType.get(t.get("type").asText());
            assertEquals(row[0], t.get("tensors").asLong(), t.toString());
            assertEquals(row[1], t.get("parameters").asLong(), t.toString());
            assertEquals(row[2], t.get("bytes").asLong(), t.toString());
            assertTrue(t.get("bytes").asLong() <= previousBytes, "types are listed most bytes first");
            previousBytes = t.get("bytes").asLong();
        }
    }

    @Test
    void summaryFactsOfTheF16Model() throws Exception {
        // Hand-counted from the model's hparams (testdata/README.md): n_embd 256, 2 layers, n_ff 512,
        // vocab 512, 4 heads, 2 KV heads (head dim 64, so K and V are 256 x 128).
        long perLayer = 256 + 256 * 256 + 2 * 256 * 128 + 256 * 256 + 256 + 3 * 256 * 512;
        long parameters = 2 * 256 * 512 + 256 + 2 * perLayer;
        assertEquals(1_443_072, parameters);
        long f32 = 256 + 2 * 2 * 256; // output_norm and two norms per layer
        long bytes = f32 * 4 + (parameters - f32) * 2;

        JsonNode s = inspectJson("inspect", "--json", TestFiles.testdata("tiny-gqa-f16.gguf").toString()).get("summary");
        assertEquals("llama", s.get("architecture").asText());
        assertEquals("tiny-gqa", s.get("name").asText());
        assertEquals(parameters, s.get("parameters").asLong());
        assertEquals(bytes, s.get("tensorBytes").asLong());
        assertEquals(bytes * 8.0 / parameters, s.get("bitsPerWeight").asDouble(), 1e-12);
        assertEquals("MOSTLY_F16", s.get("fileType").asText());
        assertEquals(1, s.get("fileTypeId").asInt());
        assertFalse(s.get("fileTypeGuessed").asBoolean());
        assertEquals(2048, s.get("contextLength").asInt());
        assertEquals(2, s.get("layers").asInt());
        assertEquals(4, s.get("headCount").asInt());
        assertEquals(2, s.get("headCountKv").asInt());
        assertTrue(s.get("experts").isNull());
        assertTrue(s.get("expertsUsed").isNull());
        assertEquals(512, s.get("vocabularySize").asInt());
        assertEquals(0, s.get("unknownSizeTensors").asInt());
    }

    @Test
    void theQ4KMFileIsTypedByItsKey() throws Exception {
        JsonNode s = inspectJson("inspect", "--json", TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf").toString())
                .get("summary");
        assertEquals("MOSTLY_Q4_K_M", s.get("fileType").asText());
        assertEquals(15, s.get("fileTypeId").asInt());
        assertFalse(s.get("fileTypeGuessed").asBoolean());
    }

    @Test
    void tensorFilterKeepsFileOrderAndIndices() throws Exception {
        String file = "tiny-gqa-f16-MOSTLY_Q4_K_M.gguf";
        Pattern p = Pattern.compile("attn_(q|k)\\.");
        List<String> expected = new ArrayList<>();
        List<Integer> indices = new ArrayList<>();
        JsonNode tensors = listing(file).get("tensors");
        for (int i = 0; i < tensors.size(); i++) {
            if (p.matcher(tensors.get(i).get("name").asText()).find()) {
                expected.add(tensors.get(i).get("name").asText());
                indices.add(i);
            }
        }
        assertEquals(4, expected.size());
        JsonNode got = inspectJson("inspect", "--json", "--tensors", p.pattern(), TestFiles.testdata(file).toString());
        assertEquals(expected, names(got.get("tensors")));
        List<Integer> gotIndices = new ArrayList<>();
        got.get("tensors").forEach(t -> gotIndices.add(t.get("index").asInt()));
        assertEquals(indices, gotIndices);
        assertEquals(p.pattern(), got.get("tensorFilter").asText());
        assertEquals(21, got.get("summary").get("tensorCount").asInt(), "the summary still covers every tensor");
    }

    @Test
    void omittedSectionsAreAbsentKeys() throws Exception {
        String path = TestFiles.testdata("tiny-gqa-f16.gguf").toString();
        JsonNode all = inspectJson("inspect", "--json", path);
        assertTrue(all.has("metadata") && all.has("tensors"));
        JsonNode noTensors = inspectJson("inspect", "--json", "--no-tensors", path);
        assertFalse(noTensors.has("tensors"));
        assertTrue(noTensors.has("metadata"));
        JsonNode noMetadata = inspectJson("inspect", "--json", "--no-metadata", path);
        assertFalse(noMetadata.has("metadata"));
        assertTrue(noMetadata.has("tensors"));
        assertEquals(all.get("summary"), noMetadata.get("summary"));
        assertEquals(all.get("types"), noMetadata.get("types"));
    }

    @Test
    void numbersAreWrittenExactly(@TempDir Path tmp) throws Exception {
        Path f = Fixtures.write(tmp.resolve("numbers.gguf"), List.of(
                Fixtures.str("general.architecture", "llama"),
                new MetadataEntry("u64.max", GgufValue.Int.u64(-1L)),
                new MetadataEntry("i64.min", new GgufValue.Int(GgufValueType.INT64, Long.MIN_VALUE)),
                new MetadataEntry("f32.tenth", GgufValue.Real.f32(0.1f)),
                new MetadataEntry("f32.nan", GgufValue.Real.f32(Float.NaN)),
                new MetadataEntry("f32.inf", GgufValue.Real.f32(Float.POSITIVE_INFINITY)),
                new MetadataEntry("f64.ninf", GgufValue.Real.f64(Double.NEGATIVE_INFINITY)),
                new MetadataEntry("f64.pi", GgufValue.Real.f64(Math.PI)),
                new MetadataEntry("bool", GgufValue.Bool.of(true)),
                new MetadataEntry("nested", GgufArray.of(GgufValueType.ARRAY,
                        List.of(GgufArray.ofInt32(1, 2), GgufArray.ofStrings(List.of("x")))))),
                List.of(Fixtures.tensor("t", GgmlType.F32, 4)));
        CommandRun run = CommandRun.of("inspect", "--json", f.toString());
        assertEquals(0, run.exitCode(), run::toString);
        // The exact text matters here: parsed values would hide how they were written.
        assertTrue(run.out().contains("\"value\" : 18446744073709551615"), run.out());
        assertTrue(run.out().contains("\"value\" : -9223372036854775808"), run.out());
        assertTrue(run.out().contains("\"value\" : 0.1" + System.lineSeparator()), "FLOAT32 0.1f in its shortest form, not 0.10000000149011612");
        assertTrue(run.out().contains("\"value\" : \"NaN\""));
        assertTrue(run.out().contains("\"value\" : \"Infinity\""));
        assertTrue(run.out().contains("\"value\" : \"-Infinity\""));
        assertTrue(run.out().contains("\"value\" : 3.141592653589793" + System.lineSeparator()));

        Map<String, JsonNode> values = new LinkedHashMap<>();
        JSON.readTree(run.out()).get("metadata").forEach(e -> values.put(e.get("key").asText(), e.get("value")));
        assertEquals(0.1f, Float.parseFloat(values.get("f32.tenth").asText()));
        assertTrue(values.get("bool").isBoolean() && values.get("bool").asBoolean());
        JsonNode nested = values.get("nested");
        assertEquals("ARRAY", nested.get("elementType").asText());
        assertEquals(2, nested.get("count").asInt());
        JsonNode inner = nested.get("values");
        assertEquals("INT32", inner.get(0).get("elementType").asText());
        assertEquals("[1,2]", inner.get(0).get("values").toString());
        assertEquals("STRING", inner.get(1).get("elementType").asText());
        assertEquals("[\"x\"]", inner.get(1).get("values").toString());
    }

    @Test
    void bigEndianFilesSaySo(@TempDir Path tmp) throws Exception {
        List<MetadataEntry> md = List.of(Fixtures.str("general.architecture", "llama"), Fixtures.u32("llama.block_count", 3));
        dev.gguflens.gguf.GgufWriter.Layout layout = dev.gguflens.gguf.GgufWriter.layout(md,
                List.of(Fixtures.tensor("t", GgmlType.F32, 8)), 32, java.nio.ByteOrder.BIG_ENDIAN);
        Path f = tmp.resolve("be.gguf");
        dev.gguflens.gguf.GgufWriter.write(f, layout, (t, out) -> out.write(java.nio.ByteBuffer.allocate((int) t.bytes())));
        JsonNode got = inspectJson("inspect", "--json", f.toString());
        assertEquals("big", got.get("byteOrder").asText());
        assertEquals(3, got.get("summary").get("layers").asInt());
        assertEquals("[8]", got.get("tensors").get(0).get("shape").toString());
        CommandRun text = CommandRun.of("inspect", f.toString());
        assertTrue(text.out().contains("Format:           GGUF v3, big-endian, alignment 32"), text.out());
    }

    static List<String> names(JsonNode tensors) {
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = tensors.elements(); it.hasNext(); ) {
            out.add(it.next().get("name").asText());
        }
        return out;
    }
}
