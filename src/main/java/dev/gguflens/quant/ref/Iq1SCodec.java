package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * IQ1_S decoder ({@code dequantize_row_iq1_s}; ggml-types.md §5): {@code d} f16 @0, {@code qs[32]} @2 (grid
 * index low bytes), {@code qh[8]} uint16 @34 (3 high index bits per group, a 3-bit scale, the delta's sign).
 */
final class Iq1SCodec extends DecodeOnlyIqCodec {
    private static final int QS = 2, QH = 34;
    /** {@code IQ1S_DELTA}: the grid's -1/0/+1 values are shifted by plus or minus this. */
    static final float DELTA = 0.125f;

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_S;
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq1s();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int qh = QuantMath.u16(b, off + QH + 2 * ib);
            float dl = d * (2 * ((qh >>> 12) & 7) + 1);
            float delta = (qh & 0x8000) != 0 ? -DELTA : DELTA;
            for (int l = 0; l < 4; l++) {
                int g = ((b[off + QS + 4 * ib + l] & 0xFF) | ((qh >>> (3 * l)) & 7) << 8) * 8;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    // grid bytes are signed (-1, 0, +1): int8 + float, then the scale
                    y[o + j] = dl * (grid[g + j] + delta);
                }
            }
        }
    }
}
