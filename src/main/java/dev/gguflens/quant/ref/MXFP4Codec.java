package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * MXFP4 {@code {u8 e; u8 qs[16]}}: 32 E2M1 values under one E8M0 power-of-two scale,
 * {@code quantize_row_mxfp4_ref} and {@code dequantize_row_mxfp4} (quantizers.md §3 "MXFP4", ggml-types.md §5).
 */
final class MXFP4Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 17;

    @Override
    public GgmlType type() {
        return GgmlType.MXFP4;
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
                if (amax < Math.abs(x[xb + j])) {
                    amax = Math.abs(x[xb + j]);
                }
            }
            // (uint8_t)(floorf(log2f(amax)) - 2 + 127), in float: a subnormal amax makes it negative and the
            // cast wraps (1e-39 gives 251); +Inf gives x86's 0x80000000, whose low byte is 0.
            int e = amax > 0 ? QuantMath.cvtt(FloorLog2f.of(amax) - 2 + 127) & 0xFF : 0;
            float d = Fp4.e8m0Half(e);
            y[yb] = (byte) e;
            for (int j = 0; j < QK / 2; j++) {
                int x0 = Fp4.bestIndex(x[xb + j], d);
                int x1 = Fp4.bestIndex(x[xb + QK / 2 + j], d);
                y[yb + 1 + j] = (byte) (x0 | x1 << 4);
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            int yb = yOff + i * QK;
            float d = Fp4.e8m0Half(src[b] & 0xFF);
            for (int j = 0; j < QK / 2; j++) {
                int q = src[b + 1 + j] & 0xFF;
                y[yb + j] = Fp4.KVALUES[q & 0x0F] * d;
                y[yb + j + QK / 2] = Fp4.KVALUES[q >>> 4] * d;
            }
        }
    }

    /** {@code VALIDATE_ROW_DATA_E_E8M0_IMPL}: an {@code e} of 0xFF is invalid. */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        for (long b = 0; b < nBlocks; b++) {
            if ((data[Math.toIntExact(off + b * BYTES)] & 0xFF) == 0xFF) {
                return b;
            }
        }
        return -1;
    }
}
