package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * Q2_0 {@code {fp16 d; u8 qs[16]}}: 64 values as codes 0..3 meaning -1, 0, +1, +2 times d,
 * {@code quantize_row_q2_0_ref} and {@code dequantize_row_q2_0} (quantizers.md §3 "Q2_0", ggml-types.md §5).
 */
final class Q2_0Codec implements BlockCodec {
    private static final int QK = 64;
    private static final int BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q2_0;
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
            for (int j = 0; j < QK; j++) {
                float a = Math.abs(x[xb + j]);
                if (a > amax) {
                    amax = a;
                }
            }
            float d = amax;
            float id = d > 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb, Fp16.fromFloat(d));
            for (int j = 0; j < QK / 4; j++) {
                y[yb + 2 + j] = 0;
            }
            for (int j = 0; j < QK; j++) {
                // roundf (half away from zero), x86 truncation (NaN gives INT_MIN), then clamp to 0..3.
                int q = QuantMath.cvtt(QuantMath.roundf(x[xb + j] * id)) + 1;
                q = Math.max(0, Math.min(3, q));
                y[yb + 2 + j / 4] |= (byte) (q << (2 * (j % 4)));
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            float d = QuantMath.f16(src, b);
            for (int j = 0; j < QK; j++) {
                int q = ((src[b + 2 + j / 4] & 0xFF) >>> (2 * (j % 4))) & 3;
                y[yOff + i * QK + j] = (q - 1) * d;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
