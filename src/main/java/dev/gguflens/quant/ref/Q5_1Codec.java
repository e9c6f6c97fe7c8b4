package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q5_1 {@code {fp16 d; fp16 m; u8 qh[4]; u8 qs[16]}}: {@code quantize_row_q5_1_ref} and
 * {@code dequantize_row_q5_1} (quantizers.md §3 "Q5_1", ggml-types.md §5).
 */
final class Q5_1Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 24;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] x, int xOff, byte[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int xb = xOff + i * QK;
            int yb = yOff + i * BYTES;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = x[xb + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb, Fp16.fromFloat(d));
            QuantMath.putU16(y, yb + 2, Fp16.fromFloat(min));
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                float x0 = (x[xb + j] - min) * id;
                float x1 = (x[xb + QK / 2 + j] - min) * id;
                // (uint8_t)(x + 0.5f): unlike Q4_1 there is no MIN(31, ...) clamp.
                int xi0 = QuantMath.cvtt(x0 + 0.5f) & 0xFF;
                int xi1 = QuantMath.cvtt(x1 + 0.5f) & 0xFF;
                y[yb + 8 + j] = (byte) ((xi0 & 0x0F) | (xi1 & 0x0F) << 4);
                qh |= ((xi0 & 0x10) >>> 4) << j;
                qh |= ((xi1 & 0x10) >>> 4) << (j + QK / 2);
            }
            QuantMath.putI32(y, yb + 4, qh);
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_q5_1} runs {@code quantize_row_q5_1_impl} row by row
     * (quantizers-imatrix.md §3.2): {@code make_qkx3_quants(32, 31, ..., -0.9, 0.05, 36)} with {@code sigma2}
     * over the whole row, {@code m = -the_min}.
     */
    @Override
    public void quantizeWeightedRows(float[] x, int xOff, byte[] y, int yOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        int[] L = new int[QK];
        int[] laux = new int[QK];
        float[] theMin = new float[1];
        LegacyWeightedRows.quantize(type(), x, xOff, y, yOff, nRows, nPerRow, qw, qwOff, (xs, xb, w, ys, yb) -> {
            // steps 2-3: the search; d and m = -the_min stored as they come, no re-quantization
            float d = WeightedScaleMinQuants.quantize(QK, 31, xs, xb, w, L, 0, theMin, 0, laux);
            QuantMath.putU16(ys, yb, Fp16.fromFloat(d));
            QuantMath.putU16(ys, yb + 2, Fp16.fromFloat(-theMin[0]));
            // step 4: packed as Q5_0
            LegacyWeightedRows.packFiveBit(L, ys, yb + 4, yb + 8);
        });
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            int yb = yOff + i * QK;
            float d = QuantMath.f16(src, b);
            float m = QuantMath.f16(src, b + 2);
            int qh = QuantMath.i32(src, b + 4);
            for (int j = 0; j < QK / 2; j++) {
                int q = src[b + 8 + j] & 0xFF;
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                y[yb + j] = ((q & 0x0F) | xh0) * d + m;
                y[yb + j + QK / 2] = ((q >>> 4) | xh1) * d + m;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0, 2);
    }
}
