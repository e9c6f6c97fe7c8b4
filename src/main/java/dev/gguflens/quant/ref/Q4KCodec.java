package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q4_K: {@code quantize_row_q4_K_ref} / {@code dequantize_row_q4_K} (reference/quantizers.md §3 Q4_K).
 * Block of 256 values, 144 bytes: {@code fp16 d}, {@code fp16 dmin}, {@code u8 scales[12]} (eight 6-bit
 * scale/min pairs, §2.5), {@code u8 qs[128]} (4-bit codes).
 */
final class Q4KCodec implements BlockCodec {
    private static final int QK_K = KScaleMinBlock.QK_K;
    private static final int BLOCK_BYTES = 144;
    private static final int QS = 16;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
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
     * With weights, {@code quantize_q4_K} runs {@code quantize_row_q4_K_impl} on each row
     * (quantizers-imatrix.md §3.5); the levels are packed as on the plain path.
     */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        KScaleMinBlock.Work w = new KScaleMinBlock.Work();
        ImportanceWeights.forEachBlock(type(), srcOff, dstOff, nRows, nPerRow, qw, qwOff, (xo, yo, qo, block) -> {
            KScaleMinBlock.quantizeLevelsWeighted(src, xo, dst, yo, 15, false, qw, qo, w);
            pack(dst, yo, w.L);
        });
    }

    private static void quantizeBlock(float[] x, int xo, byte[] y, int yo, KScaleMinBlock.Work w) {
        // steps 1-3: make_qkx2_quants(32, 15, ..., -1.0f, 0.1f, 20, false) per sub-block
        KScaleMinBlock.quantizeLevels(x, xo, y, yo, 15, -1.0f, 20, w);
        pack(y, yo, w.L);
    }

    /** Step 4: per 64-value chunk, value l in the low nibble and value l+32 in the high nibble. */
    private static void pack(byte[] y, int yo, int[] L) {
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                y[yo + QS + 32 * c + l] = (byte) (L[64 * c + l] | L[64 * c + 32 + l] << 4);
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
            // d*sc and dmin*m are each rounded once, then dl*q - ml
            float d1 = d * KScaleMin6.scale(x, s, 2 * c);
            float m1 = min * KScaleMin6.min(x, s, 2 * c);
            float d2 = d * KScaleMin6.scale(x, s, 2 * c + 1);
            float m2 = min * KScaleMin6.min(x, s, 2 * c + 1);
            int q = xo + QS + 32 * c;
            for (int l = 0; l < 32; l++) {
                y[out++] = d1 * (x[q + l] & 0xF) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[out++] = d2 * ((x[q + l] & 0xFF) >> 4) - m2;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, KScaleMinBlock.D, KScaleMinBlock.DMIN);
    }
}
