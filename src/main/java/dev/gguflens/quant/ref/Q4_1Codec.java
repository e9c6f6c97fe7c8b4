package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * Q4_1 {@code {fp16 d; fp16 m; u8 qs[16]}}: {@code quantize_row_q4_1_ref} and {@code dequantize_row_q4_1}
 * (quantizers.md §3 "Q4_1", ggml-types.md §5).
 */
final class Q4_1Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 20;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
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
            // Strict compares, not Math.min/max: NaN is skipped and the first zero's sign wins.
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
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb, Fp16.fromFloat(d));
            QuantMath.putU16(y, yb + 2, Fp16.fromFloat(min));
            for (int j = 0; j < QK / 2; j++) {
                float x0 = (x[xb + j] - min) * id;
                float x1 = (x[xb + QK / 2 + j] - min) * id;
                int xi0 = Math.min(15, (byte) QuantMath.cvtt(x0 + 0.5f));
                int xi1 = Math.min(15, (byte) QuantMath.cvtt(x1 + 0.5f));
                y[yb + 4 + j] = (byte) (xi0 | xi1 << 4);
            }
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_q4_1} runs {@code quantize_row_q4_1_impl} row by row
     * (quantizers-imatrix.md §3.2): {@code make_qkx3_quants(32, 15, ..., -0.9, 0.05, 36)} with {@code sigma2}
     * over the whole row, {@code m = -the_min}.
     */
    @Override
    public void quantizeWeightedRows(float[] x, int xOff, byte[] y, int yOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        int[] L = new int[QK];
        int[] laux = new int[QK];
        float[] theMin = new float[1];
        LegacyWeightedRows.quantize(type(), x, xOff, y, yOff, nRows, nPerRow, qw, qwOff, (xs, xb, w, ys, yb) -> {
            // step 2: scale and min search
            float d = WeightedScaleMinQuants.quantize(QK, 15, xs, xb, w, L, 0, theMin, 0, laux);
            // step 3: m = FP16(-the_min) keeps zero signs (a block of -0.0 gives 0x8000, of +0.0 0x0000);
            // no re-quantization
            QuantMath.putU16(ys, yb, Fp16.fromFloat(d));
            QuantMath.putU16(ys, yb + 2, Fp16.fromFloat(-theMin[0]));
            // step 4: packed as Q4_0
            for (int j = 0; j < QK / 2; j++) {
                ys[yb + 4 + j] = (byte) (L[j] | L[j + QK / 2] << 4);
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
            float m = QuantMath.f16(src, b + 2);
            for (int j = 0; j < QK / 2; j++) {
                int q = src[b + 4 + j] & 0xFF;
                y[yb + j] = (q & 0x0F) * d + m;
                y[yb + j + QK / 2] = (q >>> 4) * d + m;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0, 2);
    }
}
