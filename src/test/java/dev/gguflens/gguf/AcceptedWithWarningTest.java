package dev.gguflens.gguf;

import static dev.gguflens.gguf.GgufBytes.F32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the GGUF spec allows but llama.cpp refuses is read, with one warning saying why llama.cpp would
 * refuse it. (Big-endian files: {@link BigEndianTest}.)
 */
class AcceptedWithWarningTest {

    /** {@link Fixtures#v1File()}: offsets worked out there. */
    @Test
    void ggufV1IsReadWithItsNarrowFields() throws Exception {
        byte[] bytes = Fixtures.v1File();
        try (GgufFile f = GgufReader.read(bytes)) {
            assertEquals(1, f.version());
            assertEquals(ByteOrder.LITTLE_ENDIAN, f.byteOrder());
            assertEquals(150, f.headerEnd());
            assertEquals(160, f.dataOffset());
            assertEquals(List.of("general.architecture", "n", "toks"), f.metadata().stream().map(MetadataEntry::key).toList());
            assertEquals(List.of(16L, 53L, 66L), f.metadata().stream().map(MetadataEntry::offset).toList());
            assertEquals("llama", f.architecture().orElseThrow());
            assertEquals(7, f.integer("n").orElseThrow());
            GgufArray toks = (GgufArray) f.value("toks").orElseThrow();
            assertEquals(GgufValueType.STRING, toks.elementType());
            assertEquals(List.of(GgufValue.Str.of("ab"), GgufValue.Str.of("")), toks.first(10));
            assertEquals(GgufValue.Str.of(""), toks.get(1));
            TensorInfo x = f.tensors().get(0);
            TensorInfo y = f.tensors().get(1);
            assertArrayEquals(new long[] {4, 2}, x.ne());
            assertArrayEquals(new long[] {3}, y.ne());
            assertEquals(List.of(0L, 32L), List.of(x.offset(), y.offset()));
            assertEquals(List.of(32L, 6L), List.of(x.bytes(), y.bytes()));
            assertEquals(List.of(96L, 125L), List.of(x.infoOffset(), y.infoOffset()));
            assertArrayEquals(new byte[] {33, 34, 35, 36, 37, 38}, f.tensorData(y).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(List.of("GGUF v1: llama.cpp no longer loads this version"), f.warnings());

            // Re-written by our writer, the v1 file becomes a v3 file with the same content.
            byte[] v3 = Fixtures.write(GgufWriter.layout(f.metadata(), f.tensors().stream().map(GgufWriter.TensorSpec::of).toList()));
            try (GgufFile g = GgufReader.read(v3)) {
                assertEquals(3, g.version());
                assertEquals(f.metadata().stream().map(e -> List.of(e.key(), e.value())).toList(),
                        g.metadata().stream().map(e -> List.of(e.key(), e.value())).toList());
                assertEquals(List.of(), g.warnings());
            }
        }
    }

    @Test
    void aTensorNameOf64BytesIsAWarningAnd63IsNot() throws Exception {
        String name63 = "blk.0." + "x".repeat(57);
        String name64 = name63 + "y";
        assertEquals(63, name63.length());
        byte[] bytes = Fixtures.write(GgufWriter.layout(List.of(), List.of(
                new GgufWriter.TensorSpec(name63, new long[] {8}, GgmlType.F32),
                new GgufWriter.TensorSpec(name64, new long[] {8}, GgmlType.F32))));
        try (GgufFile f = GgufReader.read(bytes)) {
            assertEquals(List.of(name63, name64), f.tensors().stream().map(TensorInfo::name).toList());
            assertEquals(List.of("tensor '" + name64 + "' (tensor 1) has a name of 64 bytes: llama.cpp refuses names over 63 bytes"),
                    f.warnings());
        }
    }

    /** Tensor "a" [8] F32 at 24..57 (offset field 49), "b" [8] F32 at 57..90; data from 96. */
    private static byte[] twoTensors(long offsetA, long offsetB, long dataBytes) {
        GgufBytes b = GgufBytes.v3(2, 0).tensor("a", new long[] {8}, F32, offsetA).tensor("b", new long[] {8}, F32, offsetB).padTo(32);
        for (int i = 0; i < dataBytes; i++) {
            b.u8(i);
        }
        return b.toBytes();
    }

    @Test
    void aGapBetweenTensorsIsAWarning() throws Exception {
        try (GgufFile f = GgufReader.read(twoTensors(0, 64, 96))) {
            assertEquals(List.of("tensor data is not laid out as llama.cpp requires: tensor 'b' has offset 64, expected 32"
                    + " (contiguous in info order, each padded to 32)"), f.warnings());
            assertEquals(64, f.tensorData(f.tensors().get(1)).get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void tensorsInReverseOrderAreAWarning() throws Exception {
        try (GgufFile f = GgufReader.read(twoTensors(32, 0, 64))) {
            assertEquals(List.of("tensor data is not laid out as llama.cpp requires: tensor 'a' has offset 32, expected 0"
                    + " (contiguous in info order, each padded to 32)"), f.warnings());
            assertEquals(32, f.tensorData(f.tensors().get(0)).get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(0, f.tensorData(f.tensors().get(1)).get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void aTensorOffsetOffTheAlignmentIsAWarning() throws Exception {
        try (GgufFile f = GgufReader.read(twoTensors(0, 40, 96))) {
            assertEquals(1, f.warnings().size(), f.warnings().toString());
            assertEquals(40, f.tensorData(f.tensors().get(1)).get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    /** Type 50 is past ggml's table, type 4 (Q4_2) was removed: both list, with unknown size. */
    @Test
    void unknownAndRemovedTypesAreListedWithUnknownSize() throws Exception {
        byte[] bytes = GgufBytes.v3(3, 0)
                .tensor("new", new long[] {256, 2}, 50, 0)
                .tensor("old", new long[] {32}, 4, 0)
                .tensor("f", new long[] {8}, F32, 0)
                .padTo(32).zeros(32).toBytes();
        try (GgufFile f = GgufReader.read(bytes)) {
            TensorInfo unknown = f.tensors().get(0);
            TensorInfo removed = f.tensors().get(1);
            assertEquals(50, unknown.type().id());
            assertEquals(GgmlType.Status.UNKNOWN, unknown.type().status());
            assertEquals(-1, unknown.bytes());
            assertArrayEquals(new long[] {256, 2}, unknown.ne());
            assertEquals(4, removed.type().id());
            assertEquals("Q4_2", removed.type().name());
            assertEquals(GgmlType.Status.REMOVED, removed.type().status());
            assertEquals(-1, removed.bytes());
            assertEquals(32, f.tensors().get(2).bytes());
            assertEquals(List.of(
                    "tensor 'new' has type id 50, unknown to ggml 43-type builds: its size is unknown and llama.cpp refuses it",
                    "tensor 'old' has the removed type Q4_2 (id 4): its size is unknown and llama.cpp refuses it"), f.warnings());
            assertThrows(IllegalArgumentException.class, () -> f.tensorData(unknown));
        }
    }

    @Test
    void nestedArraysAreReadWithAWarning() throws Exception {
        byte[] bytes = Fixtures.write(GgufWriter.layout(List.of(new MetadataEntry("n", GgufArray.of(GgufValueType.ARRAY,
                List.of(GgufArray.ofInt32(1, 2), GgufArray.ofStrings(List.of("x", "yz")), GgufArray.ofUint32()))),
                new MetadataEntry("m", GgufArray.ofInt32(5))), List.of()));
        try (GgufFile f = GgufReader.read(bytes)) {
            GgufArray n = (GgufArray) f.value("n").orElseThrow();
            assertEquals(GgufValueType.ARRAY, n.elementType());
            assertEquals(3, n.count());
            assertArrayEquals(new long[] {1, 2}, ((GgufArray) n.get(0)).toLongs());
            assertEquals(List.of(GgufValue.Str.of("x"), GgufValue.Str.of("yz")), ((GgufArray) n.get(1)).first(5));
            assertEquals(0, ((GgufArray) n.get(2)).count());
            assertEquals(List.of("key 'n' holds nested arrays: llama.cpp refuses them"), f.warnings());
        }
    }

    /** Eight levels of arrays are read (nine are refused: {@link BadGguf}); element values come back at depth. */
    @Test
    void arraysNestedEightDeepAreRead() throws Exception {
        try (GgufFile f = GgufReader.read(BadGguf.nested(8))) {
            GgufValue v = f.value("a").orElseThrow();
            int levels = 0;
            while (v instanceof GgufArray a && a.elementType() == GgufValueType.ARRAY) {
                assertEquals(1, a.count());
                v = a.get(0);
                levels++;
            }
            assertEquals(7, levels);
            assertEquals(GgufValueType.UINT8, ((GgufArray) v).elementType());
            assertEquals(Collections.nCopies(1, "key 'a' holds nested arrays: llama.cpp refuses them"), f.warnings());
        }
    }

    /** A file llama.cpp would load draws no warning. */
    @Test
    void aPlainFileHasNoWarnings() throws Exception {
        byte[] bytes = GgufBytes.v3(1, 1).kvU32("general.alignment", 64).tensor("t", new long[] {8}, F32, 0).padTo(64).zeros(64).toBytes();
        try (GgufFile f = GgufReader.read(bytes)) {
            assertEquals(64, f.alignment());
            assertEquals(128, f.dataOffset());
            assertEquals(List.of(), f.warnings());
        }
    }
}
