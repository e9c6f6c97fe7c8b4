package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.testing.TestFiles;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The writer lays files out as ggml does: re-writing a llama.cpp file reproduces it byte for byte. */
class WriterRoundTripTest {

    static Stream<Path> llamaCppFiles() throws Exception {
        return Stream.concat(OracleListingTest.testdataFiles(), OracleListingTest.oracleFiles());
    }

    @ParameterizedTest
    @MethodSource("llamaCppFiles")
    void rewritingALlamaCppFileReproducesItByteForByte(Path file, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("copy.gguf");
        try (GgufFile f = GgufReader.open(file)) {
            GgufWriter.Layout layout = GgufWriter.layout(f.metadata(),
                    f.tensors().stream().map(GgufWriter.TensorSpec::of).toList());
            assertEquals(f.fileSize(), layout.fileSize(), "predicted size");
            GgufWriter.write(out, layout, GgufWriter.TensorSource.ofSegments(t -> f.tensorData(f.tensors().get(t.index()))));
        }
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(out));
    }

    @Test
    void everyValueTypeSurvivesAWriteAndARead() throws Exception {
        List<MetadataEntry> md = List.of(
                new MetadataEntry("general.architecture", GgufValue.Str.of("llama")),
                new MetadataEntry("u8", new GgufValue.Int(GgufValueType.UINT8, 255)),
                new MetadataEntry("i8", new GgufValue.Int(GgufValueType.INT8, -128)),
                new MetadataEntry("u16", new GgufValue.Int(GgufValueType.UINT16, 65535)),
                new MetadataEntry("i16", new GgufValue.Int(GgufValueType.INT16, -32768)),
                new MetadataEntry("u32", GgufValue.Int.u32(0xFFFF_FFFFL)),
                new MetadataEntry("i32", GgufValue.Int.i32(Integer.MIN_VALUE)),
                new MetadataEntry("f32", GgufValue.Real.f32(1e-5f)),
                new MetadataEntry("bool", GgufValue.Bool.of(true)),
                new MetadataEntry("str", GgufValue.Str.of("héllo \u001b[31m")),
                new MetadataEntry("u64", GgufValue.Int.u64(-1L)),
                new MetadataEntry("i64", new GgufValue.Int(GgufValueType.INT64, Long.MIN_VALUE)),
                new MetadataEntry("f64", GgufValue.Real.f64(Math.PI)),
                new MetadataEntry("arr.str", GgufArray.ofStrings(List.of("a", "", "ccc"))),
                new MetadataEntry("arr.empty", GgufArray.ofInt32()),
                new MetadataEntry("arr.nested", GgufArray.of(GgufValueType.ARRAY,
                        List.of(GgufArray.ofInt32(1, 2), GgufArray.ofStrings(List.of("x"))))));
        List<GgufWriter.TensorSpec> tensors = List.of(
                new GgufWriter.TensorSpec("a", new long[] {5}, GgmlType.F32),
                new GgufWriter.TensorSpec("b", new long[] {32, 3}, GgmlType.Q8_0),
                new GgufWriter.TensorSpec("c", new long[] {}, GgmlType.F16));
        GgufWriter.Layout layout = GgufWriter.layout(md, tensors);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GgufWriter.writeTo(Channels.newChannel(bytes), layout, (t, ch) -> ch.write(java.nio.ByteBuffer.allocate((int) t.bytes())));
        byte[] image = bytes.toByteArray();
        assertEquals(layout.fileSize(), image.length);
        try (GgufFile f = GgufReader.read(image)) {
            assertEquals(md, f.metadata().stream().map(e -> new MetadataEntry(e.key(), e.value())).toList());
            assertEquals(List.of("a", "b", "c"), f.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(List.of(0L, 32L, 160L), f.tensors().stream().map(TensorInfo::offset).toList());
            assertEquals(List.of(20L, 102L, 2L), f.tensors().stream().map(TensorInfo::bytes).toList());
            assertEquals(1, f.warnings().size(), "the nested array is the one thing llama.cpp refuses: " + f.warnings());
        }
    }

    @Test
    void aFileWithoutTensorsIsStillPaddedAsGgmlPadsIt() throws Exception {
        GgufWriter.Layout layout = GgufWriter.layout(List.of(new MetadataEntry("general.architecture", GgufValue.Str.of("x"))), List.of());
        // 24-byte header + key (8 + 20) + type 4 + value (8 + 1) = 65, padded to 96; ggml's reader reports 65.
        assertEquals(65, layout.header().length);
        assertEquals(96, layout.fileSize());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GgufWriter.writeTo(Channels.newChannel(bytes), layout, (t, ch) -> { });
        try (GgufFile f = GgufReader.read(bytes.toByteArray())) {
            assertEquals(65, f.dataOffset());
        }
    }
}
