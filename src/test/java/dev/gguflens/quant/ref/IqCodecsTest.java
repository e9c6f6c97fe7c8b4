package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.QuantVectors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IQ family: the six types encoded only with importance weights (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ1_S, IQ1_M) and IQ3_S, decoder
 * and quantizer, against llama.cpp's hashes in reference/vectors (quantizers.md §6, §8) and against
 * facts of the reference text worked out by hand.
 */
class IqCodecsTest {
    private static final int QK_K = 256;

    static Stream<GgmlType> decodableTypes() {
        return Stream.of(GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ2_S, GgmlType.IQ3_XXS, GgmlType.IQ1_S,
                GgmlType.IQ1_M, GgmlType.IQ3_S);
    }

    private static Path reference() {
        Path ref = QuantVectors.referenceDir().orElse(null);
        assumeTrue(ref != null, "reference vectors not found beside the oracle (../shared/reference): vector check skipped");
        return ref;
    }

    private static BlockCodec codec(GgmlType t) {
        return Codecs.reference(t).orElseThrow(() -> new AssertionError("no codec registered for " + t));
    }

    // ---- decoders: the decode vectors of §8 ----

    @ParameterizedTest
    @MethodSource("decodableTypes")
    void decodeVectorsGiveLlamaCppsFloats(GgmlType type) {
        QuantVectors.ExpectedDecode e = QuantVectors.expectedDecodes(reference()).get(type.name());
        byte[] blocks = QuantVectors.decodeBlocks(type);
        assertEquals(e.sha256Blocks(), QuantVectors.sha256(blocks), "generated blocks");
        float[] out = new float[e.nBlocks() * QK_K];
        codec(type).dequantize(blocks, 0, out, 0, out.length);
        assertEquals(e.sha256Decoded(), QuantVectors.sha256(QuantVectors.bytesOf(out)), type + " decoded floats");
        assertEquals(-1, codec(type).firstInvalidBlock(blocks, 0, e.nBlocks()), "moderate scales are valid");
    }

    @ParameterizedTest
    @MethodSource("decodableTypes")
    void decodesAtAnOffsetAndLeavesTheRestAlone(GgmlType type) {
        byte[] blocks = QuantVectors.decodeBlocks(type);
        int bb = type.typeSize();
        float[] whole = new float[3 * QK_K];
        codec(type).dequantize(blocks, 0, whole, 0, whole.length);
        byte[] shifted = new byte[5 + 2 * bb];
        System.arraycopy(blocks, bb, shifted, 5, 2 * bb);
        float[] part = new float[7 + 2 * QK_K + 3];
        Arrays.fill(part, 42f);
        codec(type).dequantize(shifted, 5, part, 7, 2 * QK_K);
        assertArrayEquals(Arrays.copyOfRange(whole, QK_K, 3 * QK_K), Arrays.copyOfRange(part, 7, 7 + 2 * QK_K));
        assertEquals(42f, part[6]);
        assertEquals(42f, part[7 + 2 * QK_K]);
    }

    @ParameterizedTest
    @MethodSource("decodableTypes")
    void aNonFiniteSuperScaleIsInvalid(GgmlType type) {
        int bb = type.typeSize();
        byte[] blocks = new byte[3 * bb];
        assertEquals(-1, codec(type).firstInvalidBlock(blocks, 0, 3));
        if (type == GgmlType.IQ1_M) {
            // IQ1_M's scale is gathered from the top nibbles of the words at 48, 50, 52, 54: 0x7C00 = nibbles 0, 0, C, 7
            blocks[2 * bb + 48 + 5] = (byte) 0xC0;
            blocks[2 * bb + 48 + 7] = (byte) 0x70;
        } else {
            blocks[2 * bb] = 0x00;
            blocks[2 * bb + 1] = 0x7C; // d = +Inf
        }
        assertEquals(2, codec(type).firstInvalidBlock(blocks, 0, 3));
        assertEquals(1, codec(type).firstInvalidBlock(blocks, bb, 2), "block index counts from the offset");
    }

    @ParameterizedTest
    @ValueSource(strings = {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ1_S", "IQ1_M"})
    void weightOnlyTypesRefuseThePlainQuantize(String name) {
        BlockCodec c = codec(GgmlType.byName(name).orElseThrow());
        assertFalse(c.canQuantize());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> c.quantize(new float[QK_K], 0, new byte[c.type().typeSize()], 0, QK_K));
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void iq3sDecodesAHandBuiltBlock() {
        byte[] b = new byte[110];
        b[1] = 0x3C;            // d = 1.0
        b[106] = 0x21;          // sub-block 0: nibble 1 -> db = 1*(1+2*1) = 3; sub-block 1: nibble 2 -> db = 5
        b[2] = 0;               // qs[0] -> iq3s_grid[0] = 0x01010101: magnitudes 1,1,1,1
        b[3] = 1;               // qs[1] -> iq3s_grid[1] = 0x01010103: magnitudes 3,1,1,1
        b[74] = 0x11;           // signs[0]: elements 0 and 4 negative
        b[2 + 8] = 4;           // sub-block 1, qs[8] -> iq3s_grid[4] = 0x0101010f: magnitudes 15,1,1,1
        float[] y = new float[QK_K];
        codec(GgmlType.IQ3_S).dequantize(b, 0, y, 0, QK_K);
        assertArrayEquals(new float[] {-3, 3, 3, 3, -9, 3, 3, 3}, Arrays.copyOfRange(y, 0, 8));
        assertArrayEquals(new float[] {75, 5, 5, 5}, Arrays.copyOfRange(y, 32, 36));
        // sub-blocks 2..7: nibble 0 -> db = d, grid[0] magnitudes 1
        assertEquals(1.0f, y[255]);
    }

    // ---- IQ3_S quantizer: the vectors of §6 ----

    @ParameterizedTest
    @ValueSource(strings = {"random", "nasty"})
    void iq3sQuantizesTheVectorsAsLlamaCpp(String vector) {
        float[] x = vector.equals("random") ? QuantVectors.random() : QuantVectors.nasty();
        QuantVectors.Expected e = QuantVectors.expected(reference()).get(vector + "/IQ3_S");
        checkQuantized(x, e);
    }

    @Test
    void iq3sAbortsWhereGgmlAbortsOnTheInvalidVector() {
        Map<String, QuantVectors.Expected> expected = QuantVectors.expected(reference());
        float[] invalid = QuantVectors.invalid();
        assertTrue(expected.get("invalid/IQ3_S").aborts());
        assertAborts(invalid);
        int rows = 0;
        for (int r = 0; r < 5; r++) {
            QuantVectors.Expected e = expected.get("invalid.row" + r + "/IQ3_S");
            if (e == null) {
                continue;
            }
            rows++;
            float[] row = QuantVectors.row(invalid, r);
            if (e.aborts()) {
                CodecAbortException ex = assertAborts(row);
                // row 0: a NaN in an off-grid group; rows 1-3: infinities or all-NaN make the scale NaN (trap f)
                assertTrue(ex.getMessage().contains(r == 0 ? "grid_index >= 0" : "scale >= 0"), r + ": " + ex.getMessage());
            } else {
                checkQuantized(row, e);
            }
        }
        assertEquals(5, rows, "the TSV has invalid.row0..4 for IQ3_S");
    }

    @Test
    void iq3sAbortsOnHugeFiniteValuesButNotOnLargeOnes() {
        // trap (f): at 1e17, w = x*x is finite but every neighbour error (wa*diff)*diff overflows to +Inf
        float[] huge = QuantVectors.row(QuantVectors.random(), 0);
        float[] large = huge.clone();
        for (int i = 0; i < huge.length; i++) {
            huge[i] *= 1e17f;
            large[i] *= 0x1p40f;
        }
        assertTrue(assertAborts(huge).getMessage().contains("grid_index >= 0"));
        // "no abort for uniform rows up to 2^40"; such a d overflows fp16, so the validator refuses the block
        byte[] q = new byte[110];
        codec(GgmlType.IQ3_S).quantize(large, 0, q, 0, QK_K);
        assertEquals(0, codec(GgmlType.IQ3_S).firstInvalidBlock(q, 0, 1));
    }

    private static CodecAbortException assertAborts(float[] x) {
        CodecAbortException e = assertThrows(CodecAbortException.class,
                () -> codec(GgmlType.IQ3_S).quantize(x, 0, new byte[x.length / QK_K * 110], 0, x.length));
        assertTrue(e.getMessage().startsWith("IQ3_S: ggml would abort"), e.getMessage());
        assertTrue(e.getMessage().contains("GGML_ASSERT"), e.getMessage());
        return e;
    }

    private static void checkQuantized(float[] x, QuantVectors.Expected e) {
        BlockCodec c = codec(GgmlType.IQ3_S);
        byte[] q = new byte[x.length / QK_K * 110];
        assertEquals(e.bytes(), q.length);
        c.quantize(x, 0, q, 0, x.length);
        assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), e.vector() + " quantized");
        float[] back = new float[x.length];
        c.dequantize(q, 0, back, 0, back.length);
        assertEquals(e.sha256Dequantized(), QuantVectors.sha256(QuantVectors.bytesOf(back)), e.vector() + " dequantized");
        assertEquals(e.valid(), c.firstInvalidBlock(q, 0, q.length / 110) == -1, e.vector() + " validity");
    }

    // ---- IQ3_S quantizer: the traps, checked on facts the reference states ----

    @Test
    void iq3sEmptySubBlockShiftsLaterBytes() {
        // quantizers.md, IQ3_S trap (a), verified there on nasty row 24 (values 64..95 zero)
        byte[] q = new byte[110];
        codec(GgmlType.IQ3_S).quantize(QuantVectors.row(QuantVectors.nasty(), 24), 0, q, 0, QK_K);
        assertArrayEquals(new byte[8], Arrays.copyOfRange(q, 2 + 56, 2 + 64), "qs[56..63]");
        assertArrayEquals(new byte[4], Arrays.copyOfRange(q, 74 + 28, 74 + 32), "signs[28..31]");
        assertEquals(0, q[66 + 2], "qh[2]");
        assertEquals(0, q[106 + 1] & 0x0F, "sub-block 2 gets scale nibble 0");
    }

    @Test
    void iq3sSubBlocksAfterAnEmptyOneAreWrittenOneSlotEarly() {
        float[] sub = new float[32];
        for (int i = 0; i < 32; i++) {
            sub[i] = (i % 3 == 0 ? -1 : 1) * (0.1f + 0.03f * i);
        }
        float[] full = new float[QK_K];
        float[] gap = new float[QK_K];
        for (int ib = 0; ib < 8; ib++) {
            System.arraycopy(sub, 0, full, 32 * ib, 32);
            if (ib != 0) {
                System.arraycopy(sub, 0, gap, 32 * ib, 32);
            }
        }
        byte[] qFull = new byte[110];
        byte[] qGap = new byte[110];
        codec(GgmlType.IQ3_S).quantize(full, 0, qFull, 0, QK_K);
        codec(GgmlType.IQ3_S).quantize(gap, 0, qGap, 0, QK_K);
        // identical sub-blocks: the seven written ones fill qs[0..55] and signs[0..27] (not their own slots 1..7)
        for (int ib = 0; ib < 7; ib++) {
            assertArrayEquals(Arrays.copyOfRange(qFull, 2, 10), Arrays.copyOfRange(qGap, 2 + 8 * ib, 10 + 8 * ib), "qs slot " + ib);
            assertArrayEquals(Arrays.copyOfRange(qFull, 74, 78), Arrays.copyOfRange(qGap, 74 + 4 * ib, 78 + 4 * ib), "signs slot " + ib);
        }
        assertArrayEquals(new byte[8], Arrays.copyOfRange(qGap, 58, 66));
        assertArrayEquals(new byte[4], Arrays.copyOfRange(qGap, 102, 106));
        assertEquals(0, qGap[66], "qh[0] of the empty sub-block");
        assertEquals(qFull[67], qGap[67], "qh bits still go to qh[ib]");
    }

    @Test
    void iq3sAllZeroBlocksAreAllZeroBytes() {
        float[] x = new float[2 * QK_K];
        Arrays.fill(x, QK_K, 2 * QK_K, -0.0f);
        byte[] q = new byte[220];
        Arrays.fill(q, (byte) 0x55);
        codec(GgmlType.IQ3_S).quantize(x, 0, q, 0, x.length);
        assertArrayEquals(new byte[220], q);
    }

    @Test
    void identicalSubBlocksGetTheTopScaleNibble() {
        // step 5: every sub-block scale equals max_scale, so id*scale = 31 (to a float ulp) and NI(0.5*(31 - 1)) = 15
        float[] x = new float[QK_K];
        Arrays.fill(x, 0.5f);
        byte[] q = new byte[110];
        codec(GgmlType.IQ3_S).quantize(x, 0, q, 0, QK_K);
        for (int k = 0; k < 4; k++) {
            assertEquals((byte) 0xFF, q[106 + k], "scale byte " + k);
        }
        assertTrue(QuantMath.u16(q, 0) != 0, "d is set");
    }

    // ---- ggml's test-quantize-fns figure (§7), a secondary check ----

    @ParameterizedTest
    @ValueSource(floats = {0.0f, 1.0f})
    void iq3sRoundTripErrorIsWithinGgmlsLimit(float offset) {
        int n = 32 * 128;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.1 + 2 * (float) Math.cos(i + offset));
        }
        byte[] q = new byte[n / QK_K * 110];
        float[] back = new float[n];
        codec(GgmlType.IQ3_S).quantize(x, 0, q, 0, n);
        codec(GgmlType.IQ3_S).dequantize(q, 0, back, 0, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = x[i] - back[i];
            sum += d * d;
        }
        double error = Math.sqrt(sum) / n; // test-quantize-fns' "rmse": sqrt(Σd²)/n
        assertTrue(error < 0.0040, "IQ3_S absolute quantization error " + error + " (ggml's limit 0.0040)");
    }
}
