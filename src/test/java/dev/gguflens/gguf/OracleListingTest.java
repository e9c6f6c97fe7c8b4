package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our reader's view of llama.cpp-written files equals ggml's own reader's view (the oracle listings). */
class OracleListingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> testdataFiles() throws IOException {
        try (Stream<Path> s = Files.list(TestFiles.testdata())) {
            return s.filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream();
        }
    }

    static Stream<Path> oracleFiles() throws IOException {
        try (Stream<Path> s = Files.list(TestFiles.oracle("files"))) {
            return s.filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("testdataFiles")
    void shippedFilesMatchTheirListing(Path file) throws Exception {
        compare(file, TestFiles.testdata("listings/" + file.getFileName() + ".json"));
    }

    @ParameterizedTest
    @MethodSource("oracleFiles")
    void everyOracleFileMatchesItsListing(Path file) throws Exception {
        compare(file, TestFiles.oracle("listings/" + file.getFileName() + ".json"));
    }

    private static void compare(Path file, Path listing) throws Exception {
        JsonNode want = JSON.readTree(listing.toFile());
        try (GgufFile f = GgufReader.open(file)) {
            assertEquals(want.get("version").asInt(), f.version());
            assertEquals(want.get("alignment").asLong(), f.alignment());
            assertEquals(want.get("data_offset").asLong(), f.dataOffset());
            assertEquals(want.get("n_kv").asInt(), f.metadata().size());
            assertEquals(want.get("n_tensors").asInt(), f.tensors().size());
            assertTrue(f.warnings().isEmpty(), "no warnings for a llama.cpp-written file: " + f.warnings());
            List<MetadataEntry> md = f.metadata();
            for (int i = 0; i < md.size(); i++) {
                JsonNode kv = want.get("kv").get(i);
                MetadataEntry e = md.get(i);
                assertEquals(kv.get("key").asText(), e.key());
                assertEquals(kv.get("type").asText(), e.value().type().ggmlName(), e.key());
                if (e.value() instanceof GgufArray a) {
                    assertEquals(kv.get("element_type").asText(), a.elementType().ggmlName(), e.key());
                    assertEquals(kv.get("count").asLong(), a.count(), e.key());
                    Iterator<JsonNode> values = kv.get("value").iterator();
                    for (GgufValue v : a) {
                        assertScalar(values.next(), v, e.key());
                    }
                } else {
                    assertScalar(kv.get("value"), e.value(), e.key());
                }
            }
            for (int i = 0; i < f.tensors().size(); i++) {
                JsonNode t = want.get("tensors").get(i);
                TensorInfo info = f.tensors().get(i);
                assertEquals(t.get("name").asText(), info.name());
                long[] ne = new long[t.get("ne").size()];
                for (int d = 0; d < ne.length; d++) {
                    ne[d] = t.get("ne").get(d).asLong();
                }
                assertArrayEquals(ne, info.ne(), info.name());
                assertEquals(t.get("type").asText(), info.type().ggmlName(), info.name());
                assertEquals(t.get("type_id").asInt(), info.type().id(), info.name());
                assertEquals(t.get("offset").asLong(), info.offset(), info.name());
                assertEquals(t.get("size").asLong(), info.bytes(), info.name());
            }
        }
    }

    private static void assertScalar(JsonNode want, GgufValue got, String key) {
        switch (got) {
            case GgufValue.Str s -> assertEquals(want.asText(), s.text(), key);
            case GgufValue.Int i -> assertEquals(want.asLong(), i.bits(), key);
            case GgufValue.Real r when r.type() == GgufValueType.FLOAT32 ->
                    assertEquals(Float.parseFloat(want.asText()), (float) r.value(), key);
            case GgufValue.Real r -> assertEquals(want.asDouble(), r.value(), key);
            case GgufValue.Bool b -> assertEquals(want.asBoolean(), b.value(), key);
            case GgufArray a -> throw new AssertionError("nested array in " + key);
        }
    }
}
