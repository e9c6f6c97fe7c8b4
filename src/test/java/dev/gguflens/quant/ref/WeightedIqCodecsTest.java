package dev.gguflens.quant.ref;

import static dev.gguflens.quant.ref.CodecVectorChecks.codec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.ImatrixVectors;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.QuantVectors;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grid-search IQ encoders with importance weights (quantizers-imatrix.md §4.1-4.4, 4.6, 4.7) reproduce
 * ggml's bytes on the §6 vector, and behave on the hazards of the {@code nasty} vector and zero weights.
 */
class WeightedIqCodecsTest {
    private static final int QK_K = 256;

    @ParameterizedTest
    @ValueSource(strings = {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ1_S", "IQ1_M"})
    void randomWithImportanceGivesGgmlsBytes(String name) {
        BlockCodec c = codec(GgmlType.byName(name).orElseThrow());
        ImatrixVectors.Expected e = ImatrixVectors.expected().get(name);
        float[] x = QuantVectors.random();
        byte[] q = new byte[c.encodedBytes(x.length)];
        assertEquals(e.bytes(), q.length);
        c.quantizeRows(x, 0, q, 0, 4096, 256, ImatrixVectors.importance(), 0);
        assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), name + " quantized");
        float[] back = new float[x.length];
        c.dequantize(q, 0, back, 0, back.length);
        assertEquals(e.sha256Dequantized(), QuantVectors.sha256(QuantVectors.bytesOf(back)), name + " dequantized");
        assertEquals(e.valid(), c.firstInvalidBlock(q, 0, 4096) == -1, name + " validity");
    }

    @ParameterizedTest
    @ValueSource(strings = {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ1_S", "IQ1_M"})
    void zeroWeightsAndNastyRowsGiveValidBlocks(String name) {
        BlockCodec c = codec(GgmlType.byName(name).orElseThrow());
        float[][] inputs = {QuantVectors.nasty(), Arrays.copyOf(QuantVectors.random(), 256 * 256)};
        for (float[] x : inputs) {
            for (float[] w : new float[][] {ImatrixVectors.importance(), ImatrixVectors.importanceWithZeros()}) {
                int rows = x.length / QK_K;
                byte[] q = new byte[c.encodedBytes(x.length)];
                c.quantizeRows(x, 0, q, 0, rows, QK_K, w, 0);
                assertEquals(-1, c.firstInvalidBlock(q, 0, rows), name + ": every scale finite");
                float[] back = new float[x.length];
                c.dequantize(q, 0, back, 0, back.length);
                for (int i = 0; i < back.length; i++) {
                    assertTrue(Float.isFinite(back[i]), name + " value " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ1_S", "IQ1_M"})
    void zeroRowsGiveZeroBlocks(String name) {
        // nasty rows 0 (+0.0) and 1 (-0.0): every sub-block is below its threshold, nothing is written (§4.1 step 4 etc.)
        BlockCodec c = codec(GgmlType.byName(name).orElseThrow());
        float[] x = Arrays.copyOf(QuantVectors.nasty(), 2 * QK_K);
        byte[] q = new byte[c.encodedBytes(x.length)];
        Arrays.fill(q, (byte) 0x5A);
        c.quantizeRows(x, 0, q, 0, 2, QK_K, ImatrixVectors.importance(), 0);
        assertArrayEquals(new byte[q.length], q);
    }

    @ParameterizedTest
    @ValueSource(strings = {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ1_S", "IQ1_M"})
    void encodedOnlyWithImportance(String name) {
        BlockCodec c = codec(GgmlType.byName(name).orElseThrow());
        assertEquals(ImportanceUse.REQUIRED, c.importanceUse());
        assertFalse(c.canQuantize());
        byte[] q = new byte[c.type().typeSize()];
        UnsupportedOperationException plain = assertThrows(UnsupportedOperationException.class,
                () -> c.quantize(new float[QK_K], 0, q, 0, QK_K));
        assertTrue(plain.getMessage().contains(name) && plain.getMessage().contains("importance"), plain.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> c.quantizeRows(new float[QK_K], 0, q, 0, 1, QK_K, null, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ1_S", "IQ1_M"})
    void rowsOfTwoBlocksUseTheirColumnsWeightsAtAnyOffset(String name) {
        // two rows of 512 values with 512 weights: block b of each row takes weights [256b, 256b+256)
        BlockCodec c = codec(GgmlType.byName(name).orElseThrow());
        int bb = c.type().typeSize();
        float[] x = Arrays.copyOf(QuantVectors.random(), 4 * QK_K);
        float[] w1 = ImatrixVectors.importance();
        float[] w2 = ImatrixVectors.importanceWithZeros();
        float[] w = new float[3 + 2 * QK_K];
        System.arraycopy(w1, 0, w, 3, QK_K);
        System.arraycopy(w2, 0, w, 3 + QK_K, QK_K);
        float[] src = new float[5 + x.length];
        System.arraycopy(x, 0, src, 5, x.length);
        byte[] q = new byte[7 + 4 * bb + 2];
        c.quantizeRows(src, 5, q, 7, 2, 2 * QK_K, w, 3);
        for (int b = 0; b < 4; b++) {
            byte[] one = new byte[bb];
            c.quantizeRows(x, b * QK_K, one, 0, 1, QK_K, b % 2 == 0 ? w1 : w2, 0);
            assertArrayEquals(one, Arrays.copyOfRange(q, 7 + b * bb, 7 + (b + 1) * bb), name + " block " + b);
        }
        assertEquals(0, q[6]);
        assertEquals(0, q[7 + 4 * bb]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ1_S", "IQ1_M"})
    void nonFiniteRowsEncodeOrReportGgmlsAbortInOneLine(String name) {
        // the imatrix vectors hold no NaN/Inf rows (quantizers-imatrix.md §8), so only the kind of outcome is
        // checked: a block, or the abort ggml's GGML_ASSERT would be, never another exception
        BlockCodec c = codec(GgmlType.byName(name).orElseThrow());
        float[] invalid = QuantVectors.invalid();
        for (int r = 0; r < 5; r++) {
            float[] x = QuantVectors.row(invalid, r);
            byte[] q = new byte[c.type().typeSize()];
            try {
                c.quantizeRows(x, 0, q, 0, 1, QK_K, ImatrixVectors.importance(), 0);
            } catch (CodecAbortException e) {
                assertTrue(e.getMessage().startsWith(name + ": ggml would abort"), e.getMessage());
                assertTrue(e.getMessage().contains("GGML_ASSERT") && !e.getMessage().contains("\n"), e.getMessage());
            }
        }
    }

    @Test
    void iq1SortIsStableWithSignedZerosEqual() {
        // §4.6 step 2.3: ascending by value, equal values (-0.0 == +0.0) in index order
        float[] x = {9, 0.5f, -0.0f, 0.5f, 0.0f, -1, 0.5f, -0.0f};
        int[] idx = new int[8];
        WeightedIqCodec.stableSortByValue(x, 0, 8, idx);
        assertArrayEquals(new int[] {5, 2, 4, 7, 1, 3, 6, 0}, idx);
        // at an offset
        float[] y = new float[3 + 8];
        System.arraycopy(x, 0, y, 3, 8);
        WeightedIqCodec.stableSortByValue(y, 3, 8, idx);
        assertArrayEquals(new int[] {5, 2, 4, 7, 1, 3, 6, 0}, idx);
    }
}
