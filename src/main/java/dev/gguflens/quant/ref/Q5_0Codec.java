package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q5_0 {@code {fp16 d; u8 qh[4]; u8 qs[16]}}: {@code quantize_row_q5_0_ref} and {@code dequantize_row_q5_0}
 * (quantizers.md §3 "Q5_0", ggml-types.md §5).
 */
final class Q5_0Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 22;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
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
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = x[xb + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb, Fp16.fromFloat(d));
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                float x0 = x[xb + j] * id;
                float x1 = x[xb + QK / 2 + j] * id;
                int xi0 = Math.min(31, (byte) QuantMath.cvtt(x0 + 16.5f));
                int xi1 = Math.min(31, (byte) QuantMath.cvtt(x1 + 16.5f));
                y[yb + 6 + j] = (byte) ((xi0 & 0x0F) | (xi1 & 0x0F) << 4);
                // The fifth bit of element j goes to bit j of qh, that of element j+16 to bit j+16.
                qh |= ((xi0 & 0x10) >>> 4) << j;
                qh |= ((xi1 & 0x10) >>> 4) << (j + QK / 2);
            }
            QuantMath.putI32(y, yb + 2, qh);
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_q5_0} runs {@code quantize_row_q5_0_impl} row by row
     * (quantizers-imatrix.md §3.1): {@code make_qx_quants(32, 16)} with {@code sigma2} over the whole row.
     */
    @Override
    public void quantizeWeightedRows(float[] x, int xOff, byte[] y, int yOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        int[] L = new int[QK];
        LegacyWeightedRows.quantize(type(), x, xOff, y, yOff, nRows, nPerRow, qw, qwOff, (xs, xb, w, ys, yb) -> {
            // steps 2.2-2.3: the search, d = FP16(scale) with the search's levels as codes
            float d = WeightedSymmetricQuants.quantize(QK, 16, xs, xb, L, 0, w, 0);
            QuantMath.putU16(ys, yb, Fp16.fromFloat(d));
            // step 2.4
            LegacyWeightedRows.packFiveBit(L, ys, yb + 2, yb + 6);
        });
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            int yb = yOff + i * QK;
            float d = QuantMath.f16(src, b);
            int qh = QuantMath.i32(src, b + 2);
            for (int j = 0; j < QK / 2; j++) {
                int q = src[b + 6 + j] & 0xFF;
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                y[yb + j] = (((q & 0x0F) | xh0) - 16) * d;
                y[yb + j + QK / 2] = (((q >>> 4) | xh1) - 16) * d;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
