package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * IQ4_XS {@code {fp16 d; u16 scales_h; u8 scales_l[4]; u8 qs[128]}}: 256 values in 8 sub-blocks of
 * {@code kvalues_iq4nl} indices with 6-bit sub-block scales, quantized by
 * {@code quantize_row_iq4_nl_impl(256, 32, ntry = 7)} and decoded by {@code dequantize_row_iq4_xs}
 * (quantizers.md §3 "IQ4_XS", ggml-types.md §5).
 */
final class IQ4_XSCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = 136;

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] x, int xOff, byte[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        Iq4NlQuantizer.Work work = new Iq4NlQuantizer.Work();
        for (int i = 0; i < nb; i++) {
            int yb = yOff + i * BYTES;
            Iq4NlQuantizer.quantize(QK, x, xOff + i * QK, y, yb, yb + 2, yb + 4, yb + 8, null, 0, work);
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_iq4_xs} passes each super-block its 256 columns' importance values
     * ({@code qw + 256·ibl}); sigma2 is taken per super-block (quantizers-imatrix.md §3.8).
     */
    @Override
    public void quantizeWeightedRows(float[] x, int xOff, byte[] y, int yOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        Iq4NlQuantizer.Work work = new Iq4NlQuantizer.Work();
        ImportanceWeights.forEachBlock(type(), xOff, yOff, nRows, nPerRow, qw, qwOff,
                (xo, yb, qo, block) -> Iq4NlQuantizer.quantize(QK, x, xo, y, yb, yb + 2, yb + 4, yb + 8, qw, qo, work));
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            float d = QuantMath.f16(src, b);
            int scalesH = QuantMath.u16(src, b + 2);
            for (int ib = 0; ib < QK / 32; ib++) {
                int ls = (((src[b + 4 + ib / 2] & 0xFF) >>> (4 * (ib % 2))) & 0x0F) | (((scalesH >>> (2 * ib)) & 3) << 4);
                float dl = d * (ls - 32);
                int qs = b + 8 + 16 * ib;
                int yb = yOff + i * QK + 32 * ib;
                for (int j = 0; j < 16; j++) {
                    int q = src[qs + j] & 0xFF;
                    y[yb + j] = dl * Iq4NlQuantizer.KVALUES[q & 0x0F];
                    y[yb + j + 16] = dl * Iq4NlQuantizer.KVALUES[q >>> 4];
                }
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
