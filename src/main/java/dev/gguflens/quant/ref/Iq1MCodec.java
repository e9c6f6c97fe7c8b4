package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * IQ1_M decoder ({@code dequantize_row_iq1_m}; ggml-types.md §5): {@code qs[32]} @0, {@code qh[16]} @32,
 * {@code scales[8]} @48 read as four LE uint16 words whose top nibbles together hold the fp16 super-block
 * scale (the block has no {@code d} field) and whose low 12 bits hold two 3-bit scales per sub-block.
 */
final class Iq1MCodec extends DecodeOnlyIqCodec {
    private static final int QS = 0, QH = 32, SCALES = 48;

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_M;
    }

    /** The fp16 bits of the super-block scale, gathered from the top nibbles of the four scale words. */
    static int superScaleBits(byte[] b, int off) {
        int sc0 = QuantMath.u16(b, off + SCALES), sc1 = QuantMath.u16(b, off + SCALES + 2);
        int sc2 = QuantMath.u16(b, off + SCALES + 4), sc3 = QuantMath.u16(b, off + SCALES + 6);
        return (sc0 >>> 12) | ((sc1 >>> 8) & 0x00F0) | ((sc2 >>> 4) & 0x0F00) | (sc3 & 0xF000);
    }

    /** {@code ggml_validate_row_data} checks the gathered scale, IQ1_M having no plain {@code d}. */
    @Override
    boolean scaleNonFinite(byte[] block, int off) {
        return (superScaleBits(block, off) & 0x7C00) == 0x7C00;
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq1s();
        float d = Fp16.toFloat((short) superScaleBits(b, off));
        for (int ib = 0; ib < 8; ib++) {
            int sc = QuantMath.u16(b, off + SCALES + 2 * (ib / 2));
            int shift = 6 * (ib % 2);
            float dl1 = d * (2 * ((sc >>> shift) & 7) + 1);
            float dl2 = d * (2 * ((sc >>> (shift + 3)) & 7) + 1);
            for (int g = 0; g < 4; g++) {
                int qh = b[off + QH + 2 * ib + g / 2] & 0xFF;
                int nibble = (g % 2 == 0) ? qh & 0xF : qh >>> 4;
                int idx = ((b[off + QS + 4 * ib + g] & 0xFF) | (nibble & 7) << 8) * 8;
                float delta = (nibble & 8) != 0 ? -Iq1SCodec.DELTA : Iq1SCodec.DELTA;
                float dl = g < 2 ? dl1 : dl2;
                int o = yOff + 32 * ib + 8 * g;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = dl * (grid[idx + j] + delta);
                }
            }
        }
    }
}
