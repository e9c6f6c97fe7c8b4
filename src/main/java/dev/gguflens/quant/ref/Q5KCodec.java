package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q5_K: {@code quantize_row_q5_K_ref} / {@code dequantize_row_q5_K} (reference/quantizers.md §3 Q5_K).
 * Block of 256 values, 176 bytes: {@code fp16 d}, {@code fp16 dmin}, {@code u8 scales[12]} (as Q4_K),
 * {@code u8 qh[32]} (fifth bits), {@code u8 qs[128]} (low 4 bits).
 */
final class Q5KCodec implements BlockCodec {
    private static final int QK_K = KScaleMinBlock.QK_K;
    private static final int BLOCK_BYTES = 176;
    private static final int QH = 16;
    private static final int QS = 48;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        KScaleMinBlock.Work w = new KScaleMinBlock.Work();
        for (int b = 0; b < n / QK_K; b++) {
            quantizeBlock(src, srcOff + b * QK_K, dst, dstOff + b * BLOCK_BYTES, w);
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_q5_K} runs {@code quantize_row_q5_K_impl} on each row
     * (quantizers-imatrix.md §3.6); the levels are packed as on the plain path.
     */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        KScaleMinBlock.Work w = new KScaleMinBlock.Work();
        ImportanceWeights.forEachBlock(type(), srcOff, dstOff, nRows, nPerRow, qw, qwOff, (xo, yo, qo, block) -> {
            KScaleMinBlock.quantizeLevelsWeighted(src, xo, dst, yo, 31, true, qw, qo, w);
            pack(dst, yo, w.L);
        });
    }

    private static void quantizeBlock(float[] x, int xo, byte[] y, int yo, KScaleMinBlock.Work w) {
        // Q4_K's steps 1-3 with make_qkx2_quants(32, 31, ..., -0.5f, 0.1f, 15, false)
        KScaleMinBlock.quantizeLevels(x, xo, y, yo, 31, -0.5f, 15, w);
        pack(y, yo, w.L);
    }

    /** Packing: chunk c sets qh bits 2c (value j) and 2c+1 (value j+32); low 4 bits as Q4_K. */
    private static void pack(byte[] y, int yo, int[] L) {
        for (int j = 0; j < 32; j++) {
            y[yo + QH + j] = 0;
        }
        int m1 = 1;
        int m2 = 2;
        for (int c = 0; c < 4; c++, m1 <<= 2, m2 <<= 2) {
            for (int j = 0; j < 32; j++) {
                int l1 = L[64 * c + j];
                if (l1 > 15) {
                    l1 -= 16;
                    y[yo + QH + j] |= (byte) m1;
                }
                int l2 = L[64 * c + 32 + j];
                if (l2 > 15) {
                    l2 -= 16;
                    y[yo + QH + j] |= (byte) m2;
                }
                y[yo + QS + 32 * c + j] = (byte) (l1 | l2 << 4);
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            dequantizeBlock(src, srcOff + b * BLOCK_BYTES, dst, dstOff + b * QK_K);
        }
    }

    private static void dequantizeBlock(byte[] x, int xo, float[] y, int yo) {
        float d = QuantMath.f16(x, xo + KScaleMinBlock.D);
        float min = QuantMath.f16(x, xo + KScaleMinBlock.DMIN);
        int s = xo + KScaleMinBlock.SCALES;
        int out = yo;
        for (int c = 0; c < 4; c++) {
            float d1 = d * KScaleMin6.scale(x, s, 2 * c);
            float m1 = min * KScaleMin6.min(x, s, 2 * c);
            float d2 = d * KScaleMin6.scale(x, s, 2 * c + 1);
            float m2 = min * KScaleMin6.min(x, s, 2 * c + 1);
            int u1 = 1 << (2 * c);
            int u2 = 2 << (2 * c);
            int q = xo + QS + 32 * c;
            for (int l = 0; l < 32; l++) {
                int qh = x[xo + QH + l];
                y[out++] = d1 * ((x[q + l] & 0xF) + ((qh & u1) != 0 ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; l++) {
                int qh = x[xo + QH + l];
                y[out++] = d2 * (((x[q + l] & 0xFF) >> 4) + ((qh & u2) != 0 ? 16 : 0)) - m2;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, KScaleMinBlock.D, KScaleMinBlock.DMIN);
    }
}
