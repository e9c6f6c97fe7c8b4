package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.OracleTensors;
import dev.gguflens.quant.QuantVectors;
import dev.gguflens.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The K-quant reference codecs (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, and the Q8_K decoder) against what
 * llama.cpp's own functions produce: the hashes of reference/quantizers.md §6 and §8, a llama.cpp
 * output in {@code testdata/}, and ggml's test-quantize-fns error limits (§7).
 */
class KQuantCodecTest {
    private static final List<GgmlType> QUANTIZED = List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    private static BlockCodec codec(GgmlType type) {
        BlockCodec c = RefCodecs.get(type);
        assertNotNull(c, "no reference codec for " + type);
        return c;
    }

    private static Path referenceDir() {
        Path ref = QuantVectors.referenceDir().orElse(null);
        assumeTrue(ref != null, "reference vectors not found beside the oracle: vector checks skipped");
        return ref;
    }

    static Stream<Arguments> typesAndVectors() {
        return QUANTIZED.stream().flatMap(t -> Stream.of("random", "nasty", "invalid").map(v -> Arguments.of(t, v)));
    }

    private static float[] vector(String name) {
        return switch (name) {
            case "random" -> QuantVectors.random();
            case "nasty" -> QuantVectors.nasty();
            case "invalid" -> QuantVectors.invalid();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndVectors")
    void quantizedAndDequantizedBytesEqualGgmls(GgmlType type, String vectorName) {
        Map<String, QuantVectors.Expected> expected = QuantVectors.expected(referenceDir());
        float[] input = vector(vectorName);
        check(type, input, expected.get(vectorName + "/" + type.name()), vectorName);
        // ggml aborting on the whole vector makes the generator record each row alone
        for (int row = 0; row < input.length / QuantVectors.N_PER_ROW; row++) {
            QuantVectors.Expected e = expected.get(vectorName + ".row" + row + "/" + type.name());
            if (e != null) {
                check(type, QuantVectors.row(input, row), e, vectorName + ".row" + row);
            }
        }
    }

    private static void check(GgmlType type, float[] input, QuantVectors.Expected e, String what) {
        assertNotNull(e, "vectors.tsv has " + what + "/" + type);
        BlockCodec c = codec(type);
        byte[] q = new byte[c.encodedBytes(input.length)];
        assertEquals(e.bytes(), q.length, what + " size");
        c.quantize(input, 0, q, 0, input.length);
        assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), type + " " + what + ": quantized bytes");
        float[] back = new float[input.length];
        c.dequantize(q, 0, back, 0, back.length);
        assertEquals(e.sha256Dequantized(), QuantVectors.sha256(QuantVectors.bytesOf(back)), type + " " + what + ": dequantized floats");
        assertEquals(e.valid(), c.firstInvalidBlock(q, 0, q.length / type.typeSize()) == -1, type + " " + what + ": validity");
    }

    static Stream<GgmlType> decodableTypes() {
        return Stream.concat(QUANTIZED.stream(), Stream.of(GgmlType.Q8_K));
    }

    @ParameterizedTest
    @MethodSource("decodableTypes")
    void decodeVectorsDecodeAsGgml(GgmlType type) {
        QuantVectors.ExpectedDecode e = QuantVectors.expectedDecodes(referenceDir()).get(type.name());
        assertNotNull(e, "decode-vectors.tsv has " + type);
        byte[] blocks = QuantVectors.decodeBlocks(type);
        assertEquals(e.sha256Blocks(), QuantVectors.sha256(blocks), "generated blocks");
        float[] out = new float[e.nBlocks() * type.blockSize()];
        codec(type).dequantize(blocks, 0, out, 0, out.length);
        assertEquals(e.sha256Decoded(), QuantVectors.sha256(QuantVectors.bytesOf(out)), type + " decoded floats");
    }

    /**
     * ggml's test-quantize-fns "absolute quantization error" on {@code 0.1 + 2·cos(i)}, 4096 values,
     * with its metric {@code sqrt(Σd²)/n} and its per-type limits (quantizers.md §7).
     */
    @ParameterizedTest
    @MethodSource("errorLimits")
    void roundTripErrorIsWithinGgmlsTestLimits(GgmlType type, double limit) {
        float[] data = new float[4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (0.1 + 2 * (float) Math.cos(i));
        }
        BlockCodec c = codec(type);
        byte[] q = new byte[c.encodedBytes(data.length)];
        c.quantize(data, 0, q, 0, data.length);
        float[] back = new float[data.length];
        c.dequantize(q, 0, back, 0, back.length);
        double sum = 0;
        for (int i = 0; i < data.length; i++) {
            double diff = data[i] - back[i];
            sum += diff * diff;
        }
        double error = Math.sqrt(sum) / data.length;
        assertTrue(error < limit, type + " error " + error + " over ggml's limit " + limit);
    }

    static Stream<Arguments> errorLimits() {
        return Stream.of(Arguments.of(GgmlType.Q2_K, 0.0075), Arguments.of(GgmlType.Q3_K, 0.0040),
                Arguments.of(GgmlType.Q4_K, 0.002), Arguments.of(GgmlType.Q5_K, 0.002), Arguments.of(GgmlType.Q6_K, 0.002));
    }

    /** The K-quant tensors of the llama.cpp Q4_K_M output in testdata/ (no oracle needed) are reproduced byte for byte. */
    @Test
    void llamaCppQ4KMOutputInTestdataIsReproduced() throws Exception {
        Set<GgmlType> seen = new HashSet<>();
        List<String> bad = new ArrayList<>();
        try (GgufFile src = GgufReader.open(TestFiles.testdata("tiny-gqa-f16.gguf"));
             GgufFile out = GgufReader.open(TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))) {
            for (TensorInfo t : out.tensors()) {
                if (!QUANTIZED.contains(t.type())) {
                    continue;
                }
                seen.add(t.type());
                TensorInfo s = src.tensors().stream().filter(x -> x.name().equals(t.name())).findFirst().orElseThrow();
                float[] values = OracleTensors.decode(src, s);
                byte[] q = new byte[Math.toIntExact(t.bytes())];
                codec(t.type()).quantize(values, 0, q, 0, values.length);
                if (!Arrays.equals(out.tensorData(t).toArray(ValueLayout.JAVA_BYTE), q)) {
                    bad.add(t.name() + " (" + t.type() + ")");
                }
            }
        }
        assertEquals(Set.of(GgmlType.Q4_K, GgmlType.Q6_K), seen, "the Q4_K_M file holds Q4_K and Q6_K tensors");
        assertEquals(List.of(), bad);
    }

    @Test
    void validatorRejectsTheFirstBlockWithANonFiniteScale() {
        // Q2_K: d @80, dmin @82; block 1 gets an infinite dmin, block 2 a NaN d
        byte[] q2 = new byte[3 * 84];
        QuantMath.putU16(q2, 84 + 82, 0x7C00);
        QuantMath.putU16(q2, 2 * 84 + 80, 0x7E00);
        assertEquals(1, codec(GgmlType.Q2_K).firstInvalidBlock(q2, 0, 3));
        assertEquals(0, codec(GgmlType.Q2_K).firstInvalidBlock(q2, 84, 2), "counted from the offset given");
        assertEquals(-1, codec(GgmlType.Q2_K).firstInvalidBlock(q2, 0, 1));
        // Q3_K: d @108 only
        byte[] q3 = new byte[2 * 110];
        QuantMath.putU16(q3, 110 + 108, 0xFC00);
        assertEquals(1, codec(GgmlType.Q3_K).firstInvalidBlock(q3, 0, 2));
        assertEquals(-1, codec(GgmlType.Q3_K).firstInvalidBlock(q3, 0, 1));
        // Q4_K / Q5_K: d @0, dmin @2
        for (GgmlType t : List.of(GgmlType.Q4_K, GgmlType.Q5_K)) {
            byte[] b = new byte[2 * t.typeSize()];
            QuantMath.putU16(b, 2, 0x7BFF); // the largest finite half is fine
            assertEquals(-1, codec(t).firstInvalidBlock(b, 0, 2), t.name());
            QuantMath.putU16(b, t.typeSize() + 2, 0x7C01);
            assertEquals(1, codec(t).firstInvalidBlock(b, 0, 2), t.name());
        }
        // Q6_K: d @208
        byte[] q6 = new byte[210];
        QuantMath.putU16(q6, 208, 0x7C00);
        assertEquals(0, codec(GgmlType.Q6_K).firstInvalidBlock(q6, 0, 1));
        // Q8_K: f32 d @0
        byte[] q8 = new byte[2 * 292];
        QuantMath.putI32(q8, 292, Float.floatToRawIntBits(Float.NaN));
        assertEquals(1, codec(GgmlType.Q8_K).firstInvalidBlock(q8, 0, 2));
    }

    @Test
    void zeroBlocksAsTheReferenceDescribes() {
        float[] zeros = new float[256];
        // Q6_K: "the whole 210-byte block is zero"
        byte[] q6 = new byte[210];
        Arrays.fill(q6, (byte) 0x55);
        codec(GgmlType.Q6_K).quantize(zeros, 0, q6, 0, 256);
        assertArrayEquals(new byte[210], q6);
        // Q3_K: d = 0, scale bytes 0, every level 0 (make_q3_quants' zero group, not nmax)
        byte[] q3 = new byte[110];
        Arrays.fill(q3, (byte) 0x55);
        codec(GgmlType.Q3_K).quantize(zeros, 0, q3, 0, 256);
        assertArrayEquals(new byte[110], q3);
    }

    @Test
    void q8KDecodesButDoesNotQuantize() {
        BlockCodec c = codec(GgmlType.Q8_K);
        assertFalse(c.canQuantize());
        assertThrows(UnsupportedOperationException.class, () -> c.quantize(new float[256], 0, new byte[292], 0, 256));
        byte[] block = new byte[292];
        QuantMath.putI32(block, 0, Float.floatToRawIntBits(0.5f));
        block[4] = -128;
        block[5] = 3;
        float[] out = new float[256];
        c.dequantize(block, 0, out, 0, 256);
        assertEquals(-64.0f, out[0]);
        assertEquals(1.5f, out[1]);
        assertEquals(0.0f, out[2]);
    }
}
