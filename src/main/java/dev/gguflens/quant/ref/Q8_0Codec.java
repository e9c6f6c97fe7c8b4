package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * Q8_0 {@code {fp16 d; int8 qs[32]}}: {@code quantize_row_q8_0_ref} and {@code dequantize_row_q8_0}
 * (quantizers.md §3 "Q8_0", ggml-types.md §5).
 */
final class Q8_0Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 34;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
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
            // C's MAX(amax, |v|) returns |v| when the comparison is false: a NaN element sets amax to NaN
            // and the next element replaces it (the NaN "resets" the running max).
            float amax = 0.0f;
            for (int j = 0; j < QK; j++) {
                float av = Math.abs(x[xb + j]);
                amax = amax > av ? amax : av;
            }
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb, Fp16.fromFloat(d));
            for (int j = 0; j < QK; j++) {
                // int8_t = roundf(v): half away from zero, then x86's truncating cast keeps the low 8 bits.
                y[yb + 2 + j] = (byte) QuantMath.cvtt(QuantMath.roundf(x[xb + j] * id));
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
                y[yOff + i * QK + j] = src[b + 2 + j] * d;
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
