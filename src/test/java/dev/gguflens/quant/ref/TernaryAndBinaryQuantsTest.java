package dev.gguflens.quant.ref;

import static dev.gguflens.quant.ref.CodecVectorChecks.block;
import static dev.gguflens.quant.ref.CodecVectorChecks.quantize;
import static dev.gguflens.quant.ref.CodecVectorChecks.u16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** TQ1_0, TQ2_0, Q1_0, Q2_0: reference vectors, error limits, packing. */
class TernaryAndBinaryQuantsTest {

    /** ggml's test-quantize-fns MAX_QUANTIZATION_TOTAL_ERROR per type (quantizers.md §7). */
    private static final Map<GgmlType, Double> LIMITS = Map.of(
            GgmlType.TQ1_0, 0.01, GgmlType.TQ2_0, 0.01, GgmlType.Q2_0, 0.01, GgmlType.Q1_0, 0.025);

    static Stream<GgmlType> types() {
        return Stream.of(GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.Q1_0, GgmlType.Q2_0);
    }

    @ParameterizedTest
    @MethodSource("types")
    void quantizerVectorsGiveGgmlsBytesFloatsAndValidity(GgmlType type) {
        CodecVectorChecks.quantizerVectorsMatch(type);
    }

    @ParameterizedTest
    @MethodSource("types")
    void decodeVectorsGiveGgmlsFloats(GgmlType type) {
        CodecVectorChecks.decodeVectorMatches(type);
    }

    @ParameterizedTest
    @MethodSource("types")
    void roundTripErrorIsWithinTestQuantizeFnsLimit(GgmlType type) {
        double err = CodecVectorChecks.testQuantizeFnsError(type);
        assertTrue(err < LIMITS.get(type), type + " error " + err + " over ggml's limit " + LIMITS.get(type));
    }

    @Test
    void tq1_0AllZeroBlockIsAllMiddleTrits() {
        byte[] q = quantize(GgmlType.TQ1_0, new float[256]);
        // Five trits 1 are 121 in base 3; ceil(121*256/243) = 128. Four trits 1, shifted up one trit: 120 -> 127.
        for (int j = 0; j < 48; j++) {
            assertEquals((byte) 128, q[j]);
        }
        for (int j = 48; j < 52; j++) {
            assertEquals((byte) 127, q[j]);
        }
        assertEquals(0, u16(q, 52));
    }

    @Test
    void tq1_0PacksTheFirstTritMostSignificant() {
        // amax 1: d = 1. x[0] = +1 (trit 2) is the first, most significant trit of qs[0]: 2*81 + 1*27 + 9 + 3 + 1 = 202;
        // ceil(202*256/243) = 213.
        byte[] q = quantize(GgmlType.TQ1_0, block(256, 1f));
        assertEquals(0x3C00, u16(q, 52));
        assertEquals(213, q[0] & 0xFF);
        float[] back = new float[256];
        CodecVectorChecks.codec(GgmlType.TQ1_0).dequantize(q, 0, back, 0, 256);
        assertEquals(1f, back[0]);
        assertEquals(0f, back[1]);
    }

    @Test
    void tq2_0AllZeroBlockIsCodeOneEverywhere() {
        byte[] q = quantize(GgmlType.TQ2_0, new float[256]);
        for (int j = 0; j < 64; j++) {
            assertEquals((byte) 0x55, q[j]);
        }
        assertEquals(0, u16(q, 64));
    }

    @Test
    void q1_0SignBitsAreLsbFirstWithMinusZeroSetAndNaNClear() {
        float[] v = new float[128];
        Arrays.fill(v, -1f);
        v[0] = 1f;
        v[9] = -0.0f;
        v[10] = Float.NaN;
        v[127] = 0.0f;
        byte[] q = quantize(GgmlType.Q1_0, v);
        assertEquals(0x01, q[2] & 0xFF);
        assertEquals(0x02, q[3] & 0xFF, "bit 1 of byte 1 is element 9 (-0); element 10 (NaN) is clear");
        assertEquals(0x80, q[17] & 0xFF);
    }

    @Test
    void q2_0CodesAreRoundedAndClamped() {
        // amax 2: d = 2; x/d rounded half away from zero, +1, clamped to 0..3.
        byte[] q = quantize(GgmlType.Q2_0, block(64, 2f, -2f, 1f, -0.9f, Float.NaN));
        assertEquals(0x4000, u16(q, 0));
        // codes: 2 (x=2), 0 (x=-2), 2 (0.5 rounds to 1), 1 (-0.45 rounds to -0) in byte 0, LSB first.
        assertEquals(2 | 0 << 2 | 2 << 4 | 1 << 6, q[2] & 0xFF);
        assertEquals(0 | 1 << 2 | 1 << 4 | 1 << 6, q[3] & 0xFF, "NaN: INT_MIN + 1 clamps to 0");
    }
}
