package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImatrixVectors;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.QuantVectors;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weighted (importance-matrix) reference encoders against ggml: the hashes of
 * reference/quantizers-imatrix.md §6 ({@code imatrix-vectors.tsv}), hand-checked edge cases of §3, and rows
 * of other lengths.
 */
class WeightedRefCodecTest {
    /** The types whose bytes depend on the importance weights and whose encoders this class checks. */
    static final List<GgmlType> WEIGHTED = List.of(GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ3_S);
    private static final int ROWS = 4096;
    private static final int N_PER_ROW = QuantVectors.N_PER_ROW;

    static Stream<GgmlType> weightedTypes() {
        return WEIGHTED.stream();
    }

    private static BlockCodec codec(GgmlType type) {
        BlockCodec c = RefCodecs.get(type);
        assertNotNull(c, "no reference codec for " + type);
        return c;
    }

    private static byte[] quantizeRows(GgmlType type, float[] x, int nPerRow, float[] importance, int importanceOff) {
        BlockCodec c = codec(type);
        byte[] q = new byte[c.encodedBytes(x.length)];
        c.quantizeRows(x, 0, q, 0, x.length / nPerRow, nPerRow, importance, importanceOff);
        return q;
    }

    @ParameterizedTest
    @MethodSource("weightedTypes")
    void weightedRandomVectorEqualsGgmls(GgmlType type) {
        ImatrixVectors.Expected e = ImatrixVectors.expected().get(type.name());
        assertNotNull(e, "imatrix-vectors.tsv lists " + type);
        BlockCodec c = codec(type);
        assertEquals(ImportanceUse.USED, c.importanceUse());
        float[] x = QuantVectors.random();
        byte[] q = quantizeRows(type, x, N_PER_ROW, ImatrixVectors.importance(), 0);
        assertEquals(e.bytes(), q.length, type + " size");
        assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), type + " quantized bytes");
        float[] back = new float[x.length];
        c.dequantize(q, 0, back, 0, back.length);
        assertEquals(e.sha256Dequantized(), QuantVectors.sha256(QuantVectors.bytesOf(back)), type + " dequantized floats");
        assertEquals(e.valid(), c.firstInvalidBlock(q, 0, q.length / type.typeSize()) == -1, type + " validity");
        // imatrix_changes_bytes = 1: the plain call gives other bytes
        assertEquals(Boolean.TRUE, e.changesBytes());
        byte[] plain = quantizeRows(type, x, N_PER_ROW, null, 0);
        assertFalse(Arrays.equals(plain, q), type + ": the weights change the bytes");
    }

    /** The types whose weighted rows can be checked against ggml's hashes after re-chunking: sigma2 never leaves a 256-value super-block. */
    static Stream<GgmlType> blockLocalTypes() {
        return WEIGHTED.stream().filter(t -> !LEGACY.contains(t));
    }

    /** Q4_0, Q4_1, Q5_0, Q5_1: their sigma2 spans the whole row. */
    private static final List<GgmlType> LEGACY = List.of(GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1);

    static Stream<GgmlType> legacyTypes() {
        return LEGACY.stream();
    }

    /** {@code copies} copies of {@code v} one after another, after {@code lead} values of 1e30 that must never be read. */
    private static float[] tiled(float[] v, int copies, int lead) {
        float[] out = new float[lead + v.length * copies];
        Arrays.fill(out, 0, lead, 1e30f);
        for (int c = 0; c < copies; c++) {
            System.arraycopy(v, 0, out, lead + c * v.length, v.length);
        }
        return out;
    }

    /**
     * Rows of 512 and 4096 values with the importance vector repeated per 256 columns (and found at an offset)
     * give ggml's bytes for the 4096 rows of 256: for these types nothing crosses a 256-value super-block, so a
     * long row is its 256-value pieces side by side.
     */
    @ParameterizedTest
    @MethodSource("blockLocalTypes")
    void longerRowsAndImportanceOffsetsGiveGgmlsBytes(GgmlType type) {
        ImatrixVectors.Expected e = ImatrixVectors.expected().get(type.name());
        float[] x = QuantVectors.random();
        float[] imp = ImatrixVectors.importance();
        for (int nPerRow : new int[] {512, 4096}) {
            int lead = 37;
            byte[] q = quantizeRows(type, x, nPerRow, tiled(imp, nPerRow / N_PER_ROW, lead), lead);
            assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), type + " in rows of " + nPerRow);
        }
    }

    /** 256 values: k/64 with k in -64..63, so every sum of squares below is exact and a row's sigma2 is known exactly. */
    private static float[] dyadicRow() {
        float[] a = new float[N_PER_ROW];
        for (int j = 0; j < a.length; j++) {
            a[j] = ((j * 37 + 11) % 128 - 64) / 64.0f;
        }
        return a;
    }

    /**
     * A row of 512 or 4096 values that repeats one 256-value row has exactly the same sigma2 (Σx² is exact for
     * these values, and 2·S/512 = 16·S/4096 = S/256), so with the importance vector repeated likewise its bytes
     * are that row's bytes repeated. The importance vector is read at an offset.
     */
    @ParameterizedTest
    @MethodSource("legacyTypes")
    void longerLegacyRowsRepeatTheirPieces(GgmlType type) {
        float[] a = dyadicRow();
        float[] imp = ImatrixVectors.importance();
        byte[] one = quantizeRows(type, a, N_PER_ROW, imp, 0);
        for (int nPerRow : new int[] {512, 4096}) {
            int copies = nPerRow / N_PER_ROW;
            int lead = 5;
            byte[] q = quantizeRows(type, tiled(a, copies, 0), nPerRow, tiled(imp, copies, lead), lead);
            for (int c = 0; c < copies; c++) {
                assertArrayEquals(one, Arrays.copyOfRange(q, c * one.length, (c + 1) * one.length), type + " piece " + c + " of a row of " + nPerRow);
            }
        }
    }

    /**
     * §2.1: for the legacy types sigma2 = Σx²/n_per_row over the whole row. Two rows that share their first
     * block but not the rest get different bytes for that block; IQ4_NL, whose sigma2 is per 32-value block,
     * gives the same.
     */
    @ParameterizedTest
    @MethodSource("legacyTypes")
    void legacySigma2SpansTheWholeRow(GgmlType type) {
        float[] rows = new float[2 * N_PER_ROW];
        float[] random = QuantVectors.random();
        System.arraycopy(random, 0, rows, 0, N_PER_ROW);
        System.arraycopy(random, 0, rows, N_PER_ROW, N_PER_ROW);
        for (int j = 32; j < N_PER_ROW; j++) {
            rows[N_PER_ROW + j] *= 2; // the second row's blocks 1..7 are twice the first's: its sigma2 is larger
        }
        float[] imp = ImatrixVectors.importance();
        int blockBytes = type.typeSize();
        int rowBytes = N_PER_ROW / type.blockSize() * blockBytes;
        byte[] q = quantizeRows(type, rows, N_PER_ROW, imp, 0);
        assertFalse(Arrays.equals(Arrays.copyOfRange(q, 0, blockBytes), Arrays.copyOfRange(q, rowBytes, rowBytes + blockBytes)),
                type + ": block 0 of the two rows must differ");
        byte[] nl = quantizeRows(GgmlType.IQ4_NL, rows, N_PER_ROW, imp, 0);
        int nlRow = N_PER_ROW / 32 * GgmlType.IQ4_NL.typeSize();
        assertArrayEquals(Arrays.copyOfRange(nl, 0, 18), Arrays.copyOfRange(nl, nlRow, nlRow + 18), "IQ4_NL block 0");
    }

    /** A row whose first 32 values are {@code head} and whose other values are row 0 of {@code random}. */
    private static float[] rowStartingWith(float... head) {
        float[] row = QuantVectors.row(QuantVectors.random(), 0);
        System.arraycopy(head, 0, row, 0, head.length);
        return row;
    }

    /** §3.1.3: an all-zero block gives d = +0 (0x0000) and every code 0 with weights, unlike the plain path (0x8000, 0x88). */
    @Test
    void allZeroBlockWithWeightsIsAllZeroBytes() {
        float[] row = rowStartingWith(new float[32]);
        float[] imp = ImatrixVectors.importance();
        byte[] q40 = quantizeRows(GgmlType.Q4_0, row, N_PER_ROW, imp, 0);
        assertArrayEquals(new byte[18], Arrays.copyOfRange(q40, 0, 18), "Q4_0 block 0: d = 0x0000, qs all 0");
        byte[] q50 = quantizeRows(GgmlType.Q5_0, row, N_PER_ROW, imp, 0);
        assertArrayEquals(new byte[22], Arrays.copyOfRange(q50, 0, 22), "Q5_0 block 0: d = 0x0000, qh and qs all 0");
        // the plain path for contrast: d = -0.0 and code 8 everywhere
        byte[] plain = quantizeRows(GgmlType.Q4_0, row, N_PER_ROW, null, 0);
        assertEquals(0x8000, CodecVectorChecks.u16(plain, 0));
        assertEquals((byte) 0x88, plain[2]);
    }

    /** §3.2.3: Q4_1 and Q5_1 blocks of -0.0 store m = 0x8000, of +0.0 m = 0x0000; d = 0x0000 and the codes 0 in both. */
    @Test
    void signedZeroBlocksKeepTheSignOfM() {
        float[] row = QuantVectors.row(QuantVectors.random(), 0);
        Arrays.fill(row, 0, 32, -0.0f);
        Arrays.fill(row, 32, 64, 0.0f);
        float[] imp = ImatrixVectors.importance();
        for (GgmlType type : List.of(GgmlType.Q4_1, GgmlType.Q5_1)) {
            byte[] q = quantizeRows(type, row, N_PER_ROW, imp, 0);
            int bb = type.typeSize();
            byte[] negM = new byte[bb];
            negM[3] = (byte) 0x80; // m (bytes 2..3, little-endian) = 0x8000
            assertArrayEquals(negM, Arrays.copyOfRange(q, 0, bb), type + " block of -0.0");
            assertArrayEquals(new byte[bb], Arrays.copyOfRange(q, bb, 2 * bb), type + " block of +0.0");
        }
    }

    /**
     * Zero importance values (§5): a Q4_0 block whose 32 weights are all 0 keeps the first fit's codes
     * {@code 8 + clamp(rint(-8/max · x), -8, 7)} and gets d = 0, because every candidate's {@code suml2} is 0 and
     * fails the {@code > 0} test (and the first scale is {@code suml2 ? sumlx/suml2 : 0} = 0).
     */
    @Test
    void q4_0BlockWithZeroWeightsKeepsTheFirstFitAndAZeroScale() {
        float[] head = new float[32];
        for (int j = 0; j < 32; j++) {
            head[j] = (j - 16) / 16.0f; // head[0] = -1 is the first value of largest magnitude: iscale = -8/-1 = 8
        }
        float[] row = rowStartingWith(head);
        float[] imp = ImatrixVectors.importance();
        Arrays.fill(imp, 0, 32, 0.0f);
        byte[] q = quantizeRows(GgmlType.Q4_0, row, N_PER_ROW, imp, 0);
        assertEquals(0x0000, CodecVectorChecks.u16(q, 0), "d");
        for (int j = 0; j < 16; j++) {
            // 8*x is exactly (j-16)/2 for value j and j/2 for value j+16; nearest_int rounds half to even, as rint
            int lo = 8 + (int) Math.clamp(Math.rint((j - 16) / 2.0), -8, 7);
            int hi = 8 + (int) Math.clamp(Math.rint(j / 2.0), -8, 7);
            assertEquals(lo | hi << 4, q[2 + j] & 0xFF, "qs[" + j + "]");
        }
        // the same block with the usual weights picks a real scale
        byte[] weighted = quantizeRows(GgmlType.Q4_0, row, N_PER_ROW, ImatrixVectors.importance(), 0);
        assertFalse(CodecVectorChecks.u16(weighted, 0) == 0, "with positive weights d is not 0");
    }

    /**
     * Zero importance values for a Q4_1 block: sum_w = 0 makes every candidate's D = 0, so the first fit stays
     * (§2.3 steps 1-4): {@code iscale = 15/(max - min)}, {@code d = FP16(1/iscale)}, {@code m = FP16(min)} and
     * codes {@code clamp(rint(iscale·(x - min)), 0, 15)}.
     */
    @Test
    void q4_1BlockWithZeroWeightsKeepsTheFirstFit() {
        float[] row = QuantVectors.row(QuantVectors.random(), 3);
        float[] imp = ImatrixVectors.importance();
        Arrays.fill(imp, 0, 32, 0.0f);
        byte[] q = quantizeRows(GgmlType.Q4_1, row, N_PER_ROW, imp, 0);
        float min = row[0];
        float max = row[0];
        for (int j = 1; j < 32; j++) {
            min = Math.min(min, row[j]);
            max = Math.max(max, row[j]);
        }
        assertTrue(min < 0 && max > 0, "the block spans zero");
        float iscale = 15 / (max - min);
        assertEquals(Float.floatToFloat16(1 / iscale) & 0xFFFF, CodecVectorChecks.u16(q, 0), "d");
        assertEquals(Float.floatToFloat16(min) & 0xFFFF, CodecVectorChecks.u16(q, 2), "m");
        for (int j = 0; j < 16; j++) {
            int lo = (int) Math.clamp(Math.rint(iscale * (row[j] - min)), 0, 15);
            int hi = (int) Math.clamp(Math.rint(iscale * (row[j + 16] - min)), 0, 15);
            assertEquals(lo | hi << 4, q[4 + j] & 0xFF, "qs[" + j + "]");
        }
        byte[] weighted = quantizeRows(GgmlType.Q4_1, row, N_PER_ROW, ImatrixVectors.importance(), 0);
        assertFalse(Arrays.equals(Arrays.copyOfRange(q, 0, 20), Arrays.copyOfRange(weighted, 0, 20)),
                "with positive weights a candidate wins");
    }

    /**
     * The importance vector with about 19% zeros (§0) on 1024 rows of {@code random}: every type encodes
     * without error, writes only finite scales, and gives other bytes than with all weights positive.
     */
    @ParameterizedTest
    @MethodSource("weightedTypes")
    void zeroImportanceValuesAreAccepted(GgmlType type) {
        float[] x = Arrays.copyOf(QuantVectors.random(), 1024 * N_PER_ROW);
        BlockCodec c = codec(type);
        byte[] q = quantizeRows(type, x, N_PER_ROW, ImatrixVectors.importanceWithZeros(), 0);
        assertEquals(-1, c.firstInvalidBlock(q, 0, q.length / type.typeSize()), type + ": every scale finite");
        byte[] positive = quantizeRows(type, x, N_PER_ROW, ImatrixVectors.importance(), 0);
        assertFalse(Arrays.equals(positive, q), type + ": the weights matter");
    }

    /** The types that ignore an importance matrix give the table's (= their plain) hashes through {@code quantizeRows} with one. */
    @Test
    void ignoringTypesGiveTheirPlainBytes() {
        float[] x = QuantVectors.random();
        int checked = 0;
        for (ImatrixVectors.Expected e : ImatrixVectors.expected().values()) {
            if (!Boolean.FALSE.equals(e.changesBytes())) {
                continue;
            }
            GgmlType type = GgmlType.of(e.typeId());
            assertEquals(e.type(), type.name());
            BlockCodec c = codec(type);
            assertEquals(ImportanceUse.IGNORED, c.importanceUse(), type.name());
            byte[] q = quantizeRows(type, x, N_PER_ROW, ImatrixVectors.importance(), 0);
            assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), type + " quantized bytes");
            checked++;
        }
        assertEquals(9, checked, "Q8_0, TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0, Q2_0, F16, BF16");
    }

    /** Importance values that do not cover a row are refused with a message, not read past. */
    @Test
    void importanceShorterThanARowIsRefused() {
        float[] x = new float[512];
        byte[] q = new byte[codec(GgmlType.Q4_K).encodedBytes(512)];
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> codec(GgmlType.Q4_K).quantizeRows(x, 0, q, 0, 1, 512, ImatrixVectors.importance(), 0));
        assertTrue(ex.getMessage().contains("512"), ex.getMessage());
    }
}
