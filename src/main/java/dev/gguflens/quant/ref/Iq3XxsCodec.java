package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * IQ3_XXS decoder ({@code dequantize_row_iq3_xxs}; ggml-types.md §5): {@code d} f16 @0, 64 grid-index bytes
 * @2 (two 4-value grid points per 8 values), then eight LE uint32 words @66 holding four 7-bit sign indices
 * and a 4-bit scale per sub-block.
 */
final class Iq3XxsCodec extends DecodeOnlyIqCodec {
    private static final int QS = 2, SCALES_AND_SIGNS = 2 + 64;

    @Override
    public GgmlType type() {
        return GgmlType.IQ3_XXS;
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq3xxs();
        byte[] ksigns = IqGrids.ksignsIq2xs();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int w = QuantMath.i32(b, off + SCALES_AND_SIGNS + 4 * ib);
            float db = d * (0.5f + (w >>> 28)) * 0.5f;
            for (int l = 0; l < 4; l++) {
                int signs = ksigns[(w >>> (7 * l)) & 127];
                int g1 = (b[off + QS + 8 * ib + 2 * l] & 0xFF) * 4;
                int g2 = (b[off + QS + 8 * ib + 2 * l + 1] & 0xFF) * 4;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 4; j++) {
                    y[o + j] = db * (grid[g1 + j] & 0xFF) * sign(signs, j);
                    y[o + 4 + j] = db * (grid[g2 + j] & 0xFF) * sign(signs, j + 4);
                }
            }
        }
    }
}
