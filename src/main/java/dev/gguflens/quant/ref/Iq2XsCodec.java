package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * IQ2_XS decoder ({@code dequantize_row_iq2_xs}; ggml-types.md §5): {@code d} f16 @0, {@code qs[32]} uint16
 * @2 (9-bit grid index, 7-bit sign index), {@code scales[8]} @66 (two 4-bit scales per sub-block).
 */
final class Iq2XsCodec extends DecodeOnlyIqCodec {
    private static final int QS = 2, SCALES = 66;

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XS;
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq2xs();
        byte[] ksigns = IqGrids.ksignsIq2xs();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int sc = b[off + SCALES + ib] & 0xFF;
            float db0 = d * (0.5f + (sc & 0xF)) * 0.25f;
            float db1 = d * (0.5f + (sc >>> 4)) * 0.25f;
            for (int l = 0; l < 4; l++) {
                int v = QuantMath.u16(b, off + QS + 2 * (4 * ib + l));
                int g = (v & 511) * 8;
                int signs = ksigns[v >>> 9];
                float db = l < 2 ? db0 : db1;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = db * (grid[g + j] & 0xFF) * sign(signs, j);
                }
            }
        }
    }
}
