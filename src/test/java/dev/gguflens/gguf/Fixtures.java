package dev.gguflens.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.List;

/** Small valid files built with our writer, holding every value type, for the robustness tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** One key of every value type, and arrays of every element type (nested arrays included). */
    static List<MetadataEntry> allTypes() {
        return List.of(
                new MetadataEntry("general.architecture", GgufValue.Str.of("llama")),
                new MetadataEntry("u8", new GgufValue.Int(GgufValueType.UINT8, 0xA5)),
                new MetadataEntry("i8", new GgufValue.Int(GgufValueType.INT8, -2)),
                new MetadataEntry("u16", new GgufValue.Int(GgufValueType.UINT16, 0xA1B2)),
                new MetadataEntry("i16", new GgufValue.Int(GgufValueType.INT16, -12345)),
                new MetadataEntry("u32", GgufValue.Int.u32(0xA1B2C3D4L)),
                new MetadataEntry("i32", GgufValue.Int.i32(-123456789)),
                new MetadataEntry("f32", GgufValue.Real.f32(1e-5f)),
                new MetadataEntry("bool", GgufValue.Bool.of(true)),
                new MetadataEntry("str", GgufValue.Str.of("héllo")),
                new MetadataEntry("u64", GgufValue.Int.u64(0xA1B2C3D4E5F60718L)),
                new MetadataEntry("i64", new GgufValue.Int(GgufValueType.INT64, -1234567890123L)),
                new MetadataEntry("f64", GgufValue.Real.f64(Math.PI)),
                new MetadataEntry("arr.u8", array(GgufValueType.UINT8, 1, 0xFE)),
                new MetadataEntry("arr.i8", array(GgufValueType.INT8, -1, 2)),
                new MetadataEntry("arr.u16", array(GgufValueType.UINT16, 0x0102, 0xF0E0)),
                new MetadataEntry("arr.i16", array(GgufValueType.INT16, -2, 0x0304)),
                new MetadataEntry("arr.u32", GgufArray.ofUint32(0x01020304L, 0xFFFF0000L)),
                new MetadataEntry("arr.i32", GgufArray.ofInt32(-5, 0x0A0B0C0D)),
                new MetadataEntry("arr.u64", array(GgufValueType.UINT64, 0x0102030405060708L, -1)),
                new MetadataEntry("arr.i64", array(GgufValueType.INT64, -3, 0x1122334455667788L)),
                new MetadataEntry("arr.f32", GgufArray.ofFloat32(0.5f, -1e30f, Float.NaN)),
                new MetadataEntry("arr.f64", GgufArray.of(GgufValueType.FLOAT64, List.of(GgufValue.Real.f64(-0.25), GgufValue.Real.f64(1e300)))),
                new MetadataEntry("arr.bool", GgufArray.of(GgufValueType.BOOL, List.of(GgufValue.Bool.of(false), GgufValue.Bool.of(true)))),
                new MetadataEntry("arr.str", GgufArray.ofStrings(List.of("a", "", "ccc"))),
                new MetadataEntry("arr.empty", GgufArray.ofInt32()),
                new MetadataEntry("arr.nested", GgufArray.of(GgufValueType.ARRAY,
                        List.of(GgufArray.ofInt32(1, 2), GgufArray.ofStrings(List.of("x", "yz")),
                                GgufArray.of(GgufValueType.ARRAY, List.of(GgufArray.ofUint32(7)))))));
    }

    private static GgufArray array(GgufValueType type, long... bits) {
        return GgufArray.of(type, java.util.Arrays.stream(bits).mapToObj(b -> (GgufValue) new GgufValue.Int(type, b)).toList());
    }

    /**
     * Three tensors: "a" [5] F32 (20 bytes, offset 0), "b" [32, 3] Q8_0 (3 x 34 = 102 bytes, offset 32),
     * "c" [16] F32 (64 bytes, offset 160). The last one ends on the alignment, so the file has no trailing
     * padding: every shorter prefix cuts something the reader needs.
     */
    static List<GgufWriter.TensorSpec> threeTensors() {
        return List.of(
                new GgufWriter.TensorSpec("a", new long[] {5}, GgmlType.F32),
                new GgufWriter.TensorSpec("b", new long[] {32, 3}, GgmlType.Q8_0),
                new GgufWriter.TensorSpec("c", new long[] {16}, GgmlType.F32));
    }

    /** {@link #allTypes()} and {@link #threeTensors()} written little-endian, tensor bytes numbered from 1. */
    static byte[] smallFile() {
        return write(GgufWriter.layout(allTypes(), threeTensors()));
    }

    /**
     * A hand-built GGUF v1 file: 4-byte counts, string lengths, array counts and dimensions.
     * Offsets: header 16; "general.architecture" = "llama" 4+20+4+4+5 = 37 (16..53); "n" = 7 u32
     * 4+1+4+4 = 13 (53..66); "toks" = ["ab", ""] 4+4+4+4+4+4+2+4 = 30 (66..96); tensor "x" [4, 2] F32
     * 4+1+4+4+4+4+8 = 29 (96..125); tensor "y" [3] F16 at data offset 32, 4+1+4+4+4+8 = 25 (125..150);
     * data from 160: bytes 1, 2, ... 38.
     */
    static byte[] v1File() {
        GgufBytes b = GgufBytes.v1().magic().u32(1).u32(2).u32(3)
                .kvStr("general.architecture", "llama")
                .kvU32("n", 7)
                .str("toks").u32(GgufBytes.ARRAY).u32(GgufBytes.STRING).len(2).str("ab").str("")
                .tensor("x", new long[] {4, 2}, GgufBytes.F32, 0)
                .tensor("y", new long[] {3}, GgufBytes.F16, 32);
        if (b.pos() != 150) {
            throw new IllegalStateException("the v1 header is " + b.pos() + " bytes, the offsets above say 150");
        }
        b.padTo(32);
        for (int i = 0; i < 32 + 6; i++) {
            b.u8(i + 1);
        }
        return b.toBytes();
    }

    /** Writes a layout to memory; tensor {@code i}'s byte {@code k} is {@code (i + 1) * 31 + k}. */
    static byte[] write(GgufWriter.Layout layout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            GgufWriter.writeTo(Channels.newChannel(out), layout, (t, ch) -> {
                byte[] b = new byte[Math.toIntExact(t.bytes())];
                for (int k = 0; k < b.length; k++) {
                    b[k] = (byte) ((t.index() + 1) * 31 + k);
                }
                ch.write(ByteBuffer.wrap(b));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
