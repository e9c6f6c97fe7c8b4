package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * IQ2_S decoder ({@code dequantize_row_iq2_s}; ggml-types.md §5): {@code d} f16 @0, {@code qs[64]} @2 (32
 * bytes of grid-index low bits, then 32 sign bytes), {@code qh[8]} @66 (2 high index bits per group),
 * {@code scales[8]} @74 (as IQ2_XS).
 */
final class Iq2SCodec extends DecodeOnlyIqCodec {
    private static final int QS = 2, SIGNS = 2 + 32, QH = 66, SCALES = 74;

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_S;
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq2s();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int sc = b[off + SCALES + ib] & 0xFF;
            int qh = b[off + QH + ib] & 0xFF;
            float db0 = d * (0.5f + (sc & 0xF)) * 0.25f;
            float db1 = d * (0.5f + (sc >>> 4)) * 0.25f;
            for (int l = 0; l < 4; l++) {
                int g = ((b[off + QS + 4 * ib + l] & 0xFF) | ((qh >>> (2 * l)) & 3) << 8) * 8;
                int signs = b[off + SIGNS + 4 * ib + l];
                float db = l < 2 ? db0 : db1;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = db * (grid[g + j] & 0xFF) * sign(signs, j);
                }
            }
        }
    }
}
