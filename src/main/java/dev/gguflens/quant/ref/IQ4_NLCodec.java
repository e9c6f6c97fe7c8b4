package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;

/**
 * IQ4_NL {@code {fp16 d; u8 qs[16]}}: 32 values as indices into the non-linear table {@code kvalues_iq4nl},
 * quantized per block by {@code quantize_row_iq4_nl_impl(32, 32, ntry = 7)} as {@code quantize_iq4_nl} does,
 * decoded by {@code dequantize_row_iq4_nl} (quantizers.md §3 "IQ4_NL", ggml-types.md §5).
 */
final class IQ4_NLCodec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
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
            Iq4NlQuantizer.quantize(QK, x, xOff + i * QK, y, yb, -1, -1, yb + 2, null, 0, work);
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_iq4_nl} passes each block its 32 columns' importance values
     * ({@code qw + 32·ib}); sigma2 is taken per 32-value block (quantizers-imatrix.md §3.8).
     */
    @Override
    public void quantizeWeightedRows(float[] x, int xOff, byte[] y, int yOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        Iq4NlQuantizer.Work work = new Iq4NlQuantizer.Work();
        ImportanceWeights.forEachBlock(type(), xOff, yOff, nRows, nPerRow, qw, qwOff,
                (xo, yb, qo, block) -> Iq4NlQuantizer.quantize(QK, x, xo, y, yb, -1, -1, yb + 2, qw, qo, work));
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            int yb = yOff + i * QK;
            float d = QuantMath.f16(src, b);
            for (int j = 0; j < QK / 2; j++) {
                int q = src[b + 2 + j] & 0xFF;
                y[yb + j] = d * Iq4NlQuantizer.KVALUES[q & 0x0F];
                y[yb + j + QK / 2] = d * Iq4NlQuantizer.KVALUES[q >>> 4];
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
