package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q3_K: {@code quantize_row_q3_K_ref} / {@code dequantize_row_q3_K} (reference/quantizers.md §3 Q3_K).
 * Block of 256 values, 110 bytes: {@code u8 hmask[32]} (third bit of each code), {@code u8 qs[64]}
 * (low 2 bits), {@code u8 scales[12]} (sixteen 6-bit signed scales), {@code fp16 d}.
 */
final class Q3KCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int BLOCK_BYTES = 110;
    private static final int HMASK = 0;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** Per-call scratch (the C function's stack arrays), so the codec itself stays stateless. */
    private static final class Work {
        final int[] L = new int[QK_K];
        final float[] scales = new float[QK_K / 16];
        /** Weighted path only: one sub-block's weights, the sub-block weight sums and the 6-bit scale levels. */
        final float[] weights = new float[16];
        final float[] sw = new float[QK_K / 16];
        final int[] ls = new int[QK_K / 16];
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        Work w = new Work();
        for (int b = 0; b < n / QK_K; b++) {
            quantizeBlock(src, srcOff + b * QK_K, dst, dstOff + b * BLOCK_BYTES, w);
        }
    }

    private static void quantizeBlock(float[] x, int xo, byte[] y, int yo, Work w) {
        int[] L = w.L;
        // step 1: a signed scale per 16 values; max_scale is the first of largest magnitude, sign kept
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < QK_K / 16; j++) {
            w.scales[j] = Q3Quants.quantize(16, 4, x, xo + 16 * j, L, 16 * j);
            float scale = Math.abs(w.scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = w.scales[j];
            }
        }
        // step 2: 6-bit scales (offset 32) against d = -max_scale/32
        for (int k = 0; k < 12; k++) {
            y[yo + SCALES + k] = 0;
        }
        if (maxScale != 0) {
            float iscale = -32.0f / maxScale;
            for (int j = 0; j < QK_K / 16; j++) {
                int l = (byte) QuantMath.nearestInt(iscale * w.scales[j]); // C's int8_t store
                l = Math.clamp(l, -32, 31) + 32;
                if (j < 8) {
                    y[yo + SCALES + j] = (byte) (l & 0xF);
                } else {
                    y[yo + SCALES + j - 8] |= (byte) ((l & 0xF) << 4);
                }
                y[yo + SCALES + 8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
            }
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(1 / iscale));
        } else {
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(0.0f));
        }
        requantizeAndPack(x, xo, y, yo, L);
    }

    /**
     * Steps 3-5 of the plain path, also steps 5-6 of the weighted one (quantizers-imatrix.md §3.4): every value
     * re-quantized with the stored scales, then the third bits to hmask and the low two bits packed.
     */
    private static void requantizeAndPack(float[] x, int xo, byte[] y, int yo, int[] L) {
        // step 3: re-quantize with the stored scales; a zero scale keeps the search's levels
        float d = QuantMath.f16(y, yo + D);
        for (int j = 0; j < QK_K / 16; j++) {
            float dd = d * scale(y, yo, j);
            if (dd == 0) {
                continue;
            }
            for (int ii = 0; ii < 16; ii++) {
                int l = QuantMath.nearestInt(x[xo + 16 * j + ii] / dd);
                L[16 * j + ii] = Math.clamp(l, -4, 3) + 4;
            }
        }
        // step 4: the third bit of value k goes to hmask[k % 32], bit k / 32
        for (int k = 0; k < 32; k++) {
            y[yo + HMASK + k] = 0;
        }
        for (int k = 0; k < QK_K; k++) {
            if (L[k] > 3) {
                y[yo + HMASK + k % 32] |= (byte) (1 << (k / 32));
                L[k] -= 4;
            }
        }
        // step 5: low 2 bits packed as Q2_K
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int j = 128 * h + l;
                y[yo + QS + 32 * h + l] = (byte) (L[j] | L[j + 32] << 2 | L[j + 64] << 4 | L[j + 96] << 6);
            }
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /** With weights, {@code quantize_q3_K} runs {@code quantize_row_q3_K_impl} on each row (quantizers-imatrix.md §3.4). */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        Work w = new Work();
        ImportanceWeights.forEachBlock(type(), srcOff, dstOff, nRows, nPerRow, qw, qwOff,
                (xo, yo, qo, block) -> quantizeBlockWeighted(src, xo, dst, yo, qw, qo, w));
    }

    /** {@code quantize_row_q3_K_impl} for one super-block, {@code qw[qo ..]} the weights of its 256 columns. */
    private static void quantizeBlockWeighted(float[] x, int xo, byte[] y, int yo, float[] qw, int qo, Work w) {
        int[] L = w.L;
        // step 1: sigma2 = (2·Σx²)/256 over the super-block (multiply first, then divide)
        float sigma2 = 2 * ImportanceWeights.sumOfSquares(x, xo, QK_K) / QK_K;
        // step 2: per 16 values, weights, their sum sw, and make_qx_quants(16, 4) (levels 0..7)
        for (int j = 0; j < QK_K / 16; j++) {
            ImportanceWeights.fill(w.weights, 0, qw, qo + 16 * j, sigma2, x, xo + 16 * j, 16);
            w.sw[j] = ImportanceWeights.sum(w.weights, 0, 16);
            w.scales[j] = WeightedSymmetricQuants.quantize(16, 4, x, xo + 16 * j, L, 16 * j, w.weights, 0);
        }
        // step 3: the 16 signed scales themselves quantized by make_qx_quants(16, 32) weighted by sw (levels 0..63)
        float dBlock = WeightedSymmetricQuants.quantize(QK_K / 16, 32, w.scales, 0, w.ls, 0, w.sw, 0);
        // step 4: low nibbles in bytes 0..7 (j >= 8 in the high nibble of j-8), top two bits in bytes 8..11
        for (int k = 0; k < 12; k++) {
            y[yo + SCALES + k] = 0;
        }
        for (int j = 0; j < QK_K / 16; j++) {
            int l = w.ls[j];
            if (j < 8) {
                y[yo + SCALES + j] = (byte) (l & 0xF);
            } else {
                y[yo + SCALES + j - 8] |= (byte) ((l & 0xF) << 4);
            }
            y[yo + SCALES + 8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
        }
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(dBlock));
        // steps 5-6: as the plain path
        requantizeAndPack(x, xo, y, yo, L);
    }

    /** The signed scale (-32..31) of sub-block {@code j} of the block at {@code xo}. */
    private static int scale(byte[] x, int xo, int j) {
        int low4 = j < 8 ? x[xo + SCALES + j] & 0xF : (x[xo + SCALES + j - 8] & 0xFF) >> 4;
        int high2 = ((x[xo + SCALES + 8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3;
        return (low4 | high2 << 4) - 32;
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            dequantizeBlock(src, srcOff + b * BLOCK_BYTES, dst, dstOff + b * QK_K);
        }
    }

    private static void dequantizeBlock(byte[] x, int xo, float[] y, int yo) {
        float dAll = QuantMath.f16(x, xo + D);
        int is = 0;
        int m = 1;
        int out = yo;
        for (int h = 0; h < 2; h++) {
            int q = xo + QS + 32 * h;
            for (int j = 0, shift = 0; j < 4; j++, shift += 2, m <<= 1) {
                for (int half = 0; half < 2; half++) {
                    float dl = dAll * scale(x, xo, is++);
                    for (int l = 16 * half; l < 16 * half + 16; l++) {
                        int q2 = ((x[q + l] & 0xFF) >> shift) & 3;
                        y[out++] = dl * (q2 - ((x[xo + HMASK + l] & m) != 0 ? 0 : 4));
                    }
                }
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, D);
    }
}
