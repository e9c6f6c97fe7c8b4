package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q2_K: {@code quantize_row_q2_K_ref} / {@code dequantize_row_q2_K} (reference/quantizers.md §3 Q2_K).
 * Block of 256 values, 84 bytes: {@code u8 scales[16]} (low nibble scale, high nibble min, per 16
 * values), {@code u8 qs[64]} (2-bit codes), {@code fp16 d}, {@code fp16 dmin}.
 */
final class Q2KCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int BLOCK_BYTES = 84;
    private static final int SCALES = 0;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** Per-call scratch (the C function's stack arrays), so the codec itself stays stateless. */
    private static final class Work {
        final int[] L = new int[QK_K];
        final int[] laux = new int[16];
        final float[] weights = new float[16];
        final float[] mins = new float[QK_K / 16];
        final float[] scales = new float[QK_K / 16];
        /** Weighted path only: the sub-block weight sums and the 4-bit levels of the scales and mins. */
        final float[] sw = new float[QK_K / 16];
        final int[] ls = new int[QK_K / 16];
        final int[] lm = new int[QK_K / 16];
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
        // step 1: scale and min per 16-value sub-block, weights |x|, absolute-error fit
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < QK_K / 16; j++) {
            for (int l = 0; l < 16; l++) {
                w.weights[l] = Math.abs(x[xo + 16 * j + l]);
            }
            w.scales[j] = ScaleMinQuants.quantize(16, 3, x, xo + 16 * j, w.weights, L, 16 * j,
                    w.mins, j, w.laux, -0.5f, 0.1f, 15, true);
            if (w.scales[j] > maxScale) {
                maxScale = w.scales[j];
            }
            if (w.mins[j] > maxMin) {
                maxMin = w.mins[j];
            }
        }
        // step 2: 4-bit scales against d = max_scale/15 (the byte keeps NI's low 8 bits, as C's uint8 store)
        if (maxScale > 0) {
            float iscale = 15.0f / maxScale;
            for (int j = 0; j < QK_K / 16; j++) {
                y[yo + SCALES + j] = (byte) QuantMath.nearestInt(iscale * w.scales[j]);
            }
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(maxScale / 15.0f));
        } else {
            for (int j = 0; j < QK_K / 16; j++) {
                y[yo + SCALES + j] = 0;
            }
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(0.0f));
        }
        // step 3: 4-bit mins in the high nibbles
        if (maxMin > 0) {
            float iscale = 15.0f / maxMin;
            for (int j = 0; j < QK_K / 16; j++) {
                y[yo + SCALES + j] |= (byte) (QuantMath.nearestInt(iscale * w.mins[j]) << 4);
            }
            QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(maxMin / 15.0f));
        } else {
            QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(0.0f));
        }
        requantizeAndPack(x, xo, y, yo, L);
    }

    /**
     * Steps 4-5 of the plain path, also steps 5-6 of the weighted one (quantizers-imatrix.md §3.3): every value
     * re-quantized with the stored scales and mins, then the 2-bit codes packed.
     */
    private static void requantizeAndPack(float[] x, int xo, byte[] y, int yo, int[] L) {
        // step 4: re-quantize with the stored (fp16-rounded) scales; a zero scale keeps step 1's levels
        float d = QuantMath.f16(y, yo + D);
        float dmin = QuantMath.f16(y, yo + DMIN);
        for (int j = 0; j < QK_K / 16; j++) {
            int sc = y[yo + SCALES + j] & 0xFF;
            float dd = d * (sc & 0xF);
            if (dd == 0) {
                continue;
            }
            float dm = dmin * (sc >> 4);
            for (int ii = 0; ii < 16; ii++) {
                int l = QuantMath.nearestInt((x[xo + 16 * j + ii] + dm) / dd);
                L[16 * j + ii] = Math.clamp(l, 0, 3);
            }
        }
        // step 5: four 2-bit codes per byte, from values l, l+32, l+64, l+96 of each 128-value half
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

    /** With weights, {@code quantize_q2_K} runs {@code quantize_row_q2_K_impl} on each row (quantizers-imatrix.md §3.3). */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        Work w = new Work();
        ImportanceWeights.forEachBlock(type(), srcOff, dstOff, nRows, nPerRow, qw, qwOff,
                (xo, yo, qo, block) -> quantizeBlockWeighted(src, xo, dst, yo, qw, qo, w));
    }

    /** {@code quantize_row_q2_K_impl} for one super-block, {@code qw[qo ..]} the weights of its 256 columns. */
    private static void quantizeBlockWeighted(float[] x, int xo, byte[] y, int yo, float[] qw, int qo, Work w) {
        int[] L = w.L;
        // step 1: sigma2 = Σx²/256 over the super-block
        float sigma2 = ImportanceWeights.sumOfSquares(x, xo, QK_K) / QK_K;
        // step 2: per 16 values, w = qw*sqrtf(sigma2 + x²), their sum sw, and make_qkx3_quants(16, 3)
        for (int j = 0; j < QK_K / 16; j++) {
            ImportanceWeights.fill(w.weights, 0, qw, qo + 16 * j, sigma2, x, xo + 16 * j, 16);
            w.sw[j] = ImportanceWeights.sum(w.weights, 0, 16);
            w.scales[j] = WeightedScaleMinQuants.quantize(16, 3, x, xo + 16 * j, w.weights, L, 16 * j, w.mins, j, w.laux);
        }
        // step 3: the scales and mins themselves quantized to 0..15, weighted by sw
        float dm = QpQuants.quantize(QK_K / 16, 15, w.scales, 0, w.ls, 0, w.sw, 0);
        float mm = QpQuants.quantize(QK_K / 16, 15, w.mins, 0, w.lm, 0, w.sw, 0);
        // step 4: fp16 super-scales, scale in the low nibble and min in the high one (uint8 arithmetic)
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(dm));
        QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(mm));
        for (int j = 0; j < QK_K / 16; j++) {
            y[yo + SCALES + j] = (byte) (w.ls[j] | w.lm[j] << 4);
        }
        // steps 5-6: as the plain path
        requantizeAndPack(x, xo, y, yo, L);
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            dequantizeBlock(src, srcOff + b * BLOCK_BYTES, dst, dstOff + b * QK_K);
        }
    }

    private static void dequantizeBlock(byte[] x, int xo, float[] y, int yo) {
        float d = QuantMath.f16(x, xo + D);
        float min = QuantMath.f16(x, xo + DMIN);
        int is = 0;
        int out = yo;
        for (int h = 0; h < 2; h++) {
            int q = xo + QS + 32 * h;
            for (int j = 0, shift = 0; j < 4; j++, shift += 2) {
                for (int half = 0; half < 2; half++) {
                    int sc = x[xo + SCALES + is++] & 0xFF;
                    float dl = d * (sc & 0xF);
                    float ml = min * (sc >> 4);
                    for (int l = 0; l < 16; l++) {
                        y[out++] = dl * (((x[q + 16 * half + l] & 0xFF) >> shift) & 3) - ml;
                    }
                }
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, D, DMIN);
    }
}
