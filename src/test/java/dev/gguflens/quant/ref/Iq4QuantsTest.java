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

/** IQ4_NL and IQ4_XS ({@code quantize_row_iq4_nl_impl}, ntry = 7): reference vectors, error limits, quirks. */
class Iq4QuantsTest {

    static Stream<GgmlType> types() {
        return Stream.of(GgmlType.IQ4_NL, GgmlType.IQ4_XS);
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
    void bestIndexIsTheOldBisectionOfTheBinary() {
        assertEquals(0, Iq4NlQuantizer.bestIndexInt8(-127f));
        assertEquals(0, Iq4NlQuantizer.bestIndexInt8(-1000f));
        assertEquals(15, Iq4NlQuantizer.bestIndexInt8(113f));
        assertEquals(8, Iq4NlQuantizer.bestIndexInt8(0f), "0 is nearer 1 than -10");
        assertEquals(8, Iq4NlQuantizer.bestIndexInt8(-4.5f), "midpoint of -10 and 1 goes to the upper entry");
        assertEquals(7, Iq4NlQuantizer.bestIndexInt8(-4.5000005f));
        assertEquals(15, Iq4NlQuantizer.bestIndexInt8(101f), "midpoint of 89 and 113");
        assertEquals(15, Iq4NlQuantizer.bestIndexInt8(Float.NaN), "NaN falls through every compare");
    }

    @Test
    void iq4NlAllZeroBlock() {
        byte[] q = quantize(GgmlType.IQ4_NL, new float[32]);
        assertEquals(0x0000, u16(q, 0));
        for (int j = 2; j < 18; j++) {
            assertEquals((byte) 0x88, q[j], "index 8 (value 1) everywhere");
        }
    }

    @Test
    void iq4XsAllZeroSuperBlock() {
        byte[] q = quantize(GgmlType.IQ4_XS, new float[256]);
        assertEquals(0x8000, u16(q, 0), "d = -0/32");
        assertEquals(0xAAAA, u16(q, 2), "every sub-block scale is l = 0 + 32: high bits 2");
        for (int j = 4; j < 8; j++) {
            assertEquals(0, q[j]);
        }
        for (int j = 8; j < 136; j++) {
            assertEquals((byte) 0x88, q[j]);
        }
    }

    @Test
    void tinyBlockBelowGroupEpsIsZero() {
        // 1e-20 is below GROUP_MAX_EPS = 1e-15: treated as an all-zero block, unlike Q4_0.
        byte[] q = quantize(GgmlType.IQ4_NL, block(32, 1e-20f, -1e-20f));
        assertEquals(0x0000, u16(q, 0));
        assertEquals((byte) 0x88, q[2]);
    }
}
