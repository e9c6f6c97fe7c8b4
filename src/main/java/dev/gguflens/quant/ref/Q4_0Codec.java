package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q4_0 {@code {fp16 d; u8 qs[16]}}: {@code quantize_row_q4_0_ref} and {@code dequantize_row_q4_0}
 * (quantizers.md §3 "Q4_0", ggml-types.md §5).
 */
final class Q4_0Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
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
            // First max of |v| keeping its sign; NaN never compares greater.
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = x[xb + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8; // an all-zero block gives -0.0, stored as 0x8000
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb, Fp16.fromFloat(d));
            for (int j = 0; j < QK / 2; j++) {
                float x0 = x[xb + j] * id;
                float x1 = x[xb + QK / 2 + j] * id;
                // MIN(15, (int8_t)(x + 8.5f)): a float add, x86 truncation to the low 8 bits, a signed min.
                int xi0 = Math.min(15, (byte) QuantMath.cvtt(x0 + 8.5f));
                int xi1 = Math.min(15, (byte) QuantMath.cvtt(x1 + 8.5f));
                y[yb + 2 + j] = (byte) (xi0 | xi1 << 4);
            }
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_q4_0} runs {@code quantize_row_q4_0_impl} row by row
     * (quantizers-imatrix.md §3.1): a weighted scale search ({@code make_qx_quants(32, 8)}), not a weighted
     * {@code _ref} rounding, with {@code sigma2} taken over the whole row.
     */
    @Override
    public void quantizeWeightedRows(float[] x, int xOff, byte[] y, int yOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        int[] L = new int[QK];
        LegacyWeightedRows.quantize(type(), x, xOff, y, yOff, nRows, nPerRow, qw, qwOff, (xs, xb, w, ys, yb) -> {
            // steps 2.2-2.3: the search's levels are the codes; d is not used to re-quantize
            float d = WeightedSymmetricQuants.quantize(QK, 8, xs, xb, L, 0, w, 0);
            QuantMath.putU16(ys, yb, Fp16.fromFloat(d));
            // step 2.4: value j in the low nibble, value j+16 in the high one
            for (int j = 0; j < QK / 2; j++) {
                ys[yb + 2 + j] = (byte) (L[j] | L[j + QK / 2] << 4);
            }
        });
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            int yb = yOff + i * QK;
            float d = QuantMath.f16(src, b);
            for (int j = 0; j < QK / 2; j++) {
                int q = src[b + 2 + j] & 0xFF;
                y[yb + j] = ((q & 0x0F) - 8) * d;
                y[yb + j + QK / 2] = ((q >>> 4) - 8) * d;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
