package dev.gguflens.quant.ref;

import static dev.gguflens.quant.ref.CodecVectorChecks.block;
import static dev.gguflens.quant.ref.CodecVectorChecks.quantize;
import static dev.gguflens.quant.ref.CodecVectorChecks.u16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Q8_0, Q4_0, Q4_1, Q5_0, Q5_1: ggml's reference vectors, its error limits, and the quirks quantizers.md §3 names. */
class LegacyQuantsTest {

    static Stream<GgmlType> types() {
        return Stream.of(GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1);
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
        assertTrue(err < 0.002, type + " error " + err + " over ggml's limit 0.002");
    }

    @Test
    void q8_0NaNResetsTheRunningMax() {
        // MAX(amax, |v|): 5, then NaN replaces 5, then 1 replaces NaN, so d = 1/127 (fp16 0x2008), not 5/127.
        byte[] q = quantize(GgmlType.Q8_0, block(32, 5f, Float.NaN, 1f));
        assertEquals(0x2008, u16(q, 0));
        assertEquals(123, q[2] & 0xFF, "5 * 127 = 635, whose low byte is 123 (a wrap, not a saturation)");
        assertEquals(0, q[3], "NaN: roundf(NaN) -> INT_MIN -> low byte 0");
        assertEquals(127, q[4]);
    }

    @Test
    void q8_0RoundsHalfAwayFromZero() {
        // amax 127 gives d = 1 exactly (0x3C00): codes are roundf(x).
        byte[] q = quantize(GgmlType.Q8_0, block(32, 127f, 2.5f, -2.5f, 0.49999997f, -0.5f));
        assertEquals(0x3C00, u16(q, 0));
        assertEquals(3, q[3]);
        assertEquals(-3, q[4]);
        assertEquals(0, q[5]);
        assertEquals(-1, q[6]);
    }

    @Test
    void q4_0AllZeroBlockStoresMinusZeroScale() {
        byte[] q = quantize(GgmlType.Q4_0, new float[32]);
        assertEquals(0x8000, u16(q, 0), "d = +0/-8 = -0");
        for (int j = 2; j < 18; j++) {
            assertEquals((byte) 0x88, q[j]);
        }
    }

    @Test
    void q4_0EarliestOfOppositeSignTiesDecidesTheScaleSign() {
        assertEquals(0x3000, u16(quantize(GgmlType.Q4_0, block(32, -1f, 1f)), 0), "d = -1/-8 = +0.125");
        assertEquals(0xB000, u16(quantize(GgmlType.Q4_0, block(32, 1f, -1f)), 0), "d = +1/-8 = -0.125");
    }

    @Test
    void q4_1FirstZerosSignIsTheMin() {
        byte[] minusFirst = quantize(GgmlType.Q4_1, block(32, -0.0f));
        assertEquals(0x0000, u16(minusFirst, 0));
        assertEquals(0x8000, u16(minusFirst, 2), "-0 comes before every +0");
        float[] plusFirst = block(32);
        plusFirst[5] = -0.0f;
        assertEquals(0x0000, u16(quantize(GgmlType.Q4_1, plusFirst), 2));
    }

    @Test
    void q5_0SplitsTheFifthBitIntoQh() {
        // max -16 gives d = 1 (0x3C00); x = q - 16 stores q = x + 16: element 0 -> 0, element 16 (x = 15) -> 31.
        float[] v = block(32, -16f);
        v[1] = 0.0f; // q = 16: only the fifth bit
        v[16] = 15f;
        byte[] q = quantize(GgmlType.Q5_0, v);
        assertEquals(0x3C00, u16(q, 0));
        int qh = (q[2] & 0xFF) | (q[3] & 0xFF) << 8 | (q[4] & 0xFF) << 16 | (q[5] & 0xFF) << 24;
        assertEquals(0xFFFFFFFE, qh, "element 0 (code 0) alone lacks bit 4; the others have code 16 or 31");
        assertEquals(0xF0, q[6] & 0xFF, "element 0 low nibble 0, element 16 low nibble 15");
        assertEquals(0x00, q[7] & 0xFF, "element 1 and 17: code 16 has low nibble 0");
    }

    @Test
    void overflowingScaleIsRejectedByTheValidator() {
        float[] v = new float[64];
        v[40] = 7.0e5f; // second block: d = 7e5/-8 overflows fp16 (|d| >= 65520)
        byte[] q = quantize(GgmlType.Q4_0, v);
        assertEquals(1, CodecVectorChecks.codec(GgmlType.Q4_0).firstInvalidBlock(q, 0, 2));
        assertEquals(-1, CodecVectorChecks.codec(GgmlType.Q4_0).firstInvalidBlock(q, 0, 1));
        // Q4_1 checks m too: min -1e5 overflows while d = 1e5/15 does not.
        float[] w = new float[64];
        w[33] = -1.0e5f;
        byte[] q1 = quantize(GgmlType.Q4_1, w);
        assertEquals(0xFC00, u16(q1, 20 + 2), "m = -Inf");
        assertEquals(1, CodecVectorChecks.codec(GgmlType.Q4_1).firstInvalidBlock(q1, 0, 2));
    }
}
