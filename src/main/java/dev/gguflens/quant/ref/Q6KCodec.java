package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import java.util.Arrays;

/**
 * Q6_K: {@code quantize_row_q6_K_ref} / {@code dequantize_row_q6_K} (reference/quantizers.md §3 Q6_K).
 * Block of 256 values, 210 bytes: {@code u8 ql[128]} (low 4 bits), {@code u8 qh[64]} (high 2 bits),
 * {@code int8 scales[16]} (one per 16 values), {@code fp16 d}.
 */
final class Q6KCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int BLOCK_BYTES = 210;
    private static final int QL = 0;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    /** Per-call scratch (the C function's stack arrays), so the codec itself stays stateless. */
    private static final class Work {
        final int[] L = new int[QK_K];
        final float[] scales = new float[QK_K / 16];
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        Work w = new Work();
        for (int b = 0; b < n / QK_K; b++) {
            quantizeBlock(src, srcOff + b * QK_K, dst, dstOff + b * BLOCK_BYTES, null, 0, w);
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_q6_K} runs {@code quantize_row_q6_K_impl} on each row
     * (quantizers-imatrix.md §3.7): the raw importance values weight each sub-block's search (no sigma2 term),
     * everything after it is the plain path.
     */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        Work w = new Work();
        ImportanceWeights.forEachBlock(type(), srcOff, dstOff, nRows, nPerRow, qw, qwOff,
                (xo, yo, qo, block) -> quantizeBlock(src, xo, dst, yo, qw, qo, w));
    }

    /** One super-block; {@code qw[qo ..]} are the importance values of its 256 columns, or {@code qw} is null. */
    private static void quantizeBlock(float[] x, int xo, byte[] y, int yo, float[] qw, int qo, Work w) {
        int[] L = w.L;
        // step 1: a signed scale per 16 values (make_qx_quants weighted by x², or by the raw importance
        // values); max_scale keeps its sign
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < QK_K / 16; ib++) {
            float scale = qw == null
                    ? SymmetricQuants.quantize(16, 32, x, xo + 16 * ib, L, 16 * ib)
                    : WeightedSymmetricQuants.quantize(16, 32, x, xo + 16 * ib, L, 16 * ib, qw, qo + 16 * ib);
            w.scales[ib] = scale;
            float absScale = Math.abs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        // step 2: a block with no usable scale is written as 210 zero bytes
        if (maxAbsScale < SymmetricQuants.GROUP_MAX_EPS) {
            Arrays.fill(y, yo, yo + BLOCK_BYTES, (byte) 0);
            return;
        }
        // step 3: int8 scales against d = -max_scale/128 (the byte keeps the low 8 bits of MIN(127, NI))
        float iscale = -128.0f / maxScale;
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(1 / iscale));
        for (int ib = 0; ib < QK_K / 16; ib++) {
            y[yo + SCALES + ib] = (byte) Math.min(127, QuantMath.nearestInt(iscale * w.scales[ib]));
        }
        // step 4: re-quantize with the stored scales; a zero scale keeps make_qx_quants' levels
        float d = QuantMath.f16(y, yo + D);
        for (int j = 0; j < QK_K / 16; j++) {
            float dd = d * y[yo + SCALES + j];
            if (dd == 0) {
                continue;
            }
            for (int ii = 0; ii < 16; ii++) {
                int l = QuantMath.nearestInt(x[xo + 16 * j + ii] / dd);
                L[16 * j + ii] = Math.clamp(l, -32, 31) + 32;
            }
        }
        // step 5: per 128-value half, low nibbles of values l, l+64 / l+32, l+96 and their high bit pairs
        for (int h = 0; h < 2; h++) {
            int ql = yo + QL + 64 * h;
            int qh = yo + QH + 32 * h;
            for (int l = 0; l < 32; l++) {
                int j = 128 * h + l;
                y[ql + l] = (byte) ((L[j] & 0xF) | (L[j + 64] & 0xF) << 4);
                y[ql + l + 32] = (byte) ((L[j + 32] & 0xF) | (L[j + 96] & 0xF) << 4);
                y[qh + l] = (byte) (L[j] >> 4 | (L[j + 32] >> 4) << 2 | (L[j + 64] >> 4) << 4 | (L[j + 96] >> 4) << 6);
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
        float d = QuantMath.f16(x, xo + D);
        for (int h = 0; h < 2; h++) {
            int ql = xo + QL + 64 * h;
            int qh = xo + QH + 32 * h;
            int sc = xo + SCALES + 8 * h;
            int out = yo + 128 * h;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int hb = x[qh + l] & 0xFF;
                int q1 = ((x[ql + l] & 0xF) | (hb & 3) << 4) - 32;
                int q2 = ((x[ql + l + 32] & 0xF) | ((hb >> 2) & 3) << 4) - 32;
                int q3 = (((x[ql + l] & 0xFF) >> 4) | ((hb >> 4) & 3) << 4) - 32;
                int q4 = (((x[ql + l + 32] & 0xFF) >> 4) | ((hb >> 6) & 3) << 4) - 32;
                // (d*sc)*q: two roundings, as C evaluates d * sc[is] * q
                y[out + l] = d * x[sc + is] * q1;
                y[out + l + 32] = d * x[sc + is + 2] * q2;
                y[out + l + 64] = d * x[sc + is + 4] * q3;
                y[out + l + 96] = d * x[sc + is + 6] * q4;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, D);
    }
}
