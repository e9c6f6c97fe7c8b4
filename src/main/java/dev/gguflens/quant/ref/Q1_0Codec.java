package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * Q1_0 {@code {fp16 d; u8 qs[16]}}: 128 signs under one scale, the mean magnitude,
 * {@code quantize_row_q1_0_ref} and {@code dequantize_row_q1_0} (quantizers.md §3 "Q1_0", ggml-types.md §5).
 */
final class Q1_0Codec implements BlockCodec {
    private static final int QK = 128;
    private static final int BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q1_0;
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
            float sumAbs = 0.0f;
            for (int j = 0; j < QK; j++) {
                sumAbs += Math.abs(x[xb + j]); // sequential float sum, in order
            }
            float d = sumAbs / QK;
            QuantMath.putU16(y, yb, Fp16.fromFloat(d));
            for (int j = 0; j < QK / 8; j++) {
                y[yb + 2 + j] = 0;
            }
            for (int j = 0; j < QK; j++) {
                // x >= 0: -0 sets the bit, NaN does not.
                if (x[xb + j] >= 0.0f) {
                    y[yb + 2 + j / 8] |= (byte) (1 << (j % 8));
                }
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
                boolean set = ((src[b + 2 + j / 8] >>> (j % 8)) & 1) != 0;
                y[yOff + i * QK + j] = set ? d : -d;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
