package dev.gguflens.quant.ref;

import static dev.gguflens.quant.ref.CodecVectorChecks.block;
import static dev.gguflens.quant.ref.CodecVectorChecks.quantize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** MXFP4 and NVFP4: reference vectors, error limits, glibc's log2f rounding, E8M0 and UE4M3. */
class Fp4QuantsTest {

    static Stream<GgmlType> types() {
        return Stream.of(GgmlType.MXFP4, GgmlType.NVFP4);
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

    @Test
    void roundTripErrorIsWithinTestQuantizeFnsLimits() {
        double mx = CodecVectorChecks.testQuantizeFnsError(GgmlType.MXFP4);
        assertTrue(mx < 0.002, "MXFP4 error " + mx + " over ggml's limit 0.002");
        double nv = CodecVectorChecks.testQuantizeFnsError(GgmlType.NVFP4);
        assertTrue(nv < 0.003, "NVFP4 error " + nv + " over ggml's limit 0.003");
    }

    @Test
    void floorLog2fRoundsUpAtTheTopOfABinadeAsGlibcDoes() {
        assertEquals(3f, FloorLog2f.of(0x1.fffffep+2f), "the largest float below 8");
        assertEquals(2f, FloorLog2f.of(0x1.fffffcp+2f), "the next one down");
        assertEquals(-4f, FloorLog2f.of(0x1.fffffcp-5f), "two below 2^-4: still rounds up");
        assertEquals(-5f, FloorLog2f.of(0x1.fffffap-5f));
        assertEquals(0f, FloorLog2f.of(0x1.fffffep+0f), "log2 near 1: no rounding up");
        assertEquals(-1f, FloorLog2f.of(0x1.fffffep-1f));
        assertEquals(7f, FloorLog2f.of(128f));
        assertEquals(-149f, FloorLog2f.of(Float.MIN_VALUE));
        assertEquals(128f, FloorLog2f.of(Float.MAX_VALUE), "binade 127 rounds up its top 44 floats");
        assertEquals(127f, FloorLog2f.of(Float.intBitsToFloat(0x7F7FFFFF - 44)));
        assertEquals(128f, FloorLog2f.of(Float.intBitsToFloat(0x7F7FFFFF - 43)));
        assertEquals(Float.POSITIVE_INFINITY, FloorLog2f.of(Float.POSITIVE_INFINITY));
    }

    /**
     * The table of n_k (measured on glibc 2.36) is what a correctly rounded log2f gives: derived here for every
     * binade from the exact distance log2(2^(k+1)) - log2(a) = -log2(1 - j·step/2^(k+1)) of the j-th float from
     * the top, against half the float spacing of the result next to k + 1.
     */
    @Test
    void roundingUpCountsAreThoseOfACorrectlyRoundedLog2() {
        int total = 0;
        for (int k = -149; k <= 127; k++) {
            double top = Math.scalb(1.0, k + 1);
            double step = Math.ulp((float) Math.scalb(1.0, k)); // float spacing in binade k (subnormals: 2^-149)
            float target = k + 1;
            double halfGap = ((double) target - Math.nextDown(target)) / 2; // the float just below k+1 in value
            int n = 0;
            while (n + 1 < 1 << 23 && -Math.log1p(-(n + 1) * step / top) / Math.log(2) < halfGap) {
                n++;
            }
            if (target == 0) {
                n = 0; // log2 near 0: the float spacing there is subnormal-fine, nothing rounds to 0
            }
            assertEquals(n, FloorLog2f.roundingUp(k), "binade " + k);
            total += n;
        }
        assertEquals(7456, total, "quantizers.md: 7,456 positive floats in all");
    }

    @Test
    void mxfp4ScaleExponentWrapsAndSaturatesAsX86Does() {
        assertEquals(251, quantize(GgmlType.MXFP4, block(32, 1e-39f))[0] & 0xFF, "subnormal amax: negative, wraps");
        assertEquals(233, quantize(GgmlType.MXFP4, block(32, 2.8e-45f))[0] & 0xFF);
        assertEquals(0, quantize(GgmlType.MXFP4, block(32, Float.POSITIVE_INFINITY))[0], "Inf: INT_MIN, low byte 0");
        assertEquals(128, quantize(GgmlType.MXFP4, block(32, 0x1.fffffep+2f))[0] & 0xFF, "floor(log2f) = 3: 3 - 2 + 127");
        assertEquals(127, quantize(GgmlType.MXFP4, block(32, 0x1.fffffcp+2f))[0] & 0xFF);
        byte[] zero = quantize(GgmlType.MXFP4, new float[32]);
        for (byte b : zero) {
            assertEquals(0, b, "all-zero block: e = 0, qs = 0");
        }
    }

    @Test
    void mxfp4ValidatorRejectsOnlyE0xFF() {
        byte[] blocks = new byte[17 * 3];
        blocks[17] = (byte) 0xFE;
        blocks[34] = (byte) 0xFF;
        var codec = CodecVectorChecks.codec(GgmlType.MXFP4);
        assertEquals(2, codec.firstInvalidBlock(blocks, 0, 3));
        assertEquals(-1, codec.firstInvalidBlock(blocks, 0, 2));
    }

    @Test
    void bestIndexKeepsTheLowerIndexOnTies() {
        assertEquals(0, Fp4.bestIndex(0.0f, 1.0f), "0 before -0 (index 8)");
        assertEquals(0, Fp4.bestIndex(-0.0f, 1.0f));
        assertEquals(1, Fp4.bestIndex(1.5f, 1.0f), "1.5 is between 1 and 2: the first wins");
        assertEquals(7, Fp4.bestIndex(100f, 1.0f));
        assertEquals(15, Fp4.bestIndex(-100f, 1.0f));
    }

    @Test
    void ue4m3EncodesAsGgml() {
        assertEquals(0, Fp4.ue4m3FromFloat(0f));
        assertEquals(0, Fp4.ue4m3FromFloat(-1f));
        assertEquals(0, Fp4.ue4m3FromFloat(Float.NaN));
        assertEquals(0x38, Fp4.ue4m3FromFloat(1f), "exponent 0 + 7, mantissa 0");
        assertEquals(0x7E, Fp4.ue4m3FromFloat(256f), "every x >= 256 is 0x7E");
        assertEquals(0x7E, Fp4.ue4m3FromFloat(1e30f));
        assertEquals(0x39, Fp4.ue4m3FromFloat(1.0625f), "mantissa bit 19 set: rounds half up");
        assertEquals(0x40, Fp4.ue4m3FromFloat(1.9375f), "mantissa carry into the exponent");
        assertEquals(1, Fp4.ue4m3FromFloat(0x1p-9f), "subnormal code 1");
        assertEquals(0, Fp4.ue4m3FromFloat(0x1p-11f), "below half the smallest subnormal");
        assertEquals(0.5f, Fp4.ue4m3ToFloat(0x38), "1.0 halved");
        assertEquals(0f, Fp4.ue4m3ToFloat(0x7F));
        assertEquals(0x1p-10f, Fp4.ue4m3ToFloat(1), "2^-9 halved");
        assertEquals(0x1p-128f, Fp4.e8m0Half(0));
        assertEquals(0x1p-127f, Fp4.e8m0Half(1));
        assertEquals(1f, Fp4.e8m0Half(128));
        assertEquals(0x1p127f, Fp4.e8m0Half(255));
    }
}
