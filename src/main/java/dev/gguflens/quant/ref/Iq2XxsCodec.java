package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * IQ2_XXS decoder ({@code dequantize_row_iq2_xxs}; ggml-types.md §5): {@code d} f16 @0, then per 32-value
 * sub-block 8 bytes read as two LE uint32: four grid indices, then four 7-bit sign indices and a 4-bit scale.
 */
final class Iq2XxsCodec extends DecodeOnlyIqCodec {
    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XXS;
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq2xxs();
        byte[] ksigns = IqGrids.ksignsIq2xs();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int q = off + 2 + 8 * ib;
            int aux1 = QuantMath.i32(b, q + 4);
            // d * (0.5f + s) * 0.25f, left to right
            float db = d * (0.5f + (aux1 >>> 28)) * 0.25f;
            for (int l = 0; l < 4; l++) {
                int g = (b[q + l] & 0xFF) * 8;
                int signs = ksigns[(aux1 >>> (7 * l)) & 127];
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = db * (grid[g + j] & 0xFF) * sign(signs, j);
                }
            }
        }
    }
}
