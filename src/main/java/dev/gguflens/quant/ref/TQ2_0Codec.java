package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * TQ2_0 {@code {u8 qs[64]; fp16 d}}: 256 ternary values as 2-bit codes, {@code quantize_row_tq2_0_ref} and
 * {@code dequantize_row_tq2_0} (quantizers.md §3 "TQ2_0", ggml-types.md §5).
 */
final class TQ2_0Codec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = 66;
    private static final int D = 64;

    @Override
    public GgmlType type() {
        return GgmlType.TQ2_0;
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
                float av = Math.abs(x[xb + j]);
                amax = amax > av ? amax : av; // C's MAX: NaN resets the running max, as in Q8_0
            }
            float d = amax;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb + D, Fp16.fromFloat(d));
            // Two halves of 128 values; byte m of a half holds x[m + 32n] in bits 2n..2n+1.
            for (int h = 0; h < 2; h++) {
                for (int m = 0; m < 32; m++) {
                    int q = 0;
                    for (int nt = 0; nt < 4; nt++) {
                        q += (TQ1_0Codec.trit(x[xb + 128 * h + m + 32 * nt], id) & 3) << (2 * nt);
                    }
                    y[yb + 32 * h + m] = (byte) q;
                }
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            int out = yOff + i * QK;
            float d = QuantMath.f16(src, b + D);
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 4; l++) {
                    for (int m = 0; m < 32; m++) {
                        int q = ((src[b + 32 * h + m] & 0xFF) >>> (2 * l)) & 3;
                        y[out++] = (q - 1) * d;
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
