package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * The row loop the four weighted legacy encoders share ({@code quantize_row_q4_0_impl} ... {@code _q5_1_impl},
 * quantizers-imatrix.md §3.1 and §3.2): {@code sigma2 = Σx² / n_per_row} over the <i>whole row</i>, then for
 * each 32-value block its weights {@code qw·sqrtf(sigma2 + x²)} from the block's columns and the type's own
 * block step (search, scale fields, packing). Also the 5-bit packing Q5_0 and Q5_1 share.
 */
final class LegacyWeightedRows {
    static final int QK = 32;

    private LegacyWeightedRows() {
    }

    /** One type's step for a block: values {@code x[xb ..+32]}, weights {@code w[0 ..32]}, output at {@code y[yb]}. */
    @FunctionalInterface
    interface BlockStep {
        void encode(float[] x, int xb, float[] w, byte[] y, int yb);
    }

    /** Encodes {@code nRows} rows of {@code nPerRow} values with the importance values {@code qw[qwOff ..+nPerRow)}. */
    static void quantize(GgmlType type, float[] x, int xOff, byte[] y, int yOff, int nRows, int nPerRow, float[] qw, int qwOff,
                         BlockStep step) {
        int nb = ImportanceWeights.blocksPerRow(type, nRows, nPerRow, qw, qwOff);
        int blockBytes = type.typeSize();
        float[] w = new float[QK];
        for (int row = 0; row < nRows; row++) {
            int xr = xOff + row * nPerRow;
            int yr = yOff + row * nb * blockBytes;
            // step 1: sigma2 over the whole row
            float sigma2 = ImportanceWeights.sumOfSquares(x, xr, nPerRow) / nPerRow;
            for (int ib = 0; ib < nb; ib++) {
                int xb = xr + ib * QK;
                // step 2.1: w = qw * sqrtf(sigma2 + x²), qw of the block's columns
                ImportanceWeights.fill(w, 0, qw, qwOff + ib * QK, sigma2, x, xb, QK);
                step.encode(x, xb, w, y, yr + ib * blockBytes);
            }
        }
    }

    /** Q5_0/Q5_1 packing of levels 0..31: low nibbles as Q4_0 at {@code qs}, bit 4 of value j to bit j of the u32 at {@code qh}. */
    static void packFiveBit(int[] L, byte[] y, int qh, int qs) {
        int bits = 0;
        for (int j = 0; j < QK / 2; j++) {
            int xi0 = L[j];
            int xi1 = L[j + QK / 2];
            y[qs + j] = (byte) ((xi0 & 0x0F) | (xi1 & 0x0F) << 4);
            bits |= ((xi0 & 0x10) >>> 4) << j;
            bits |= ((xi1 & 0x10) >>> 4) << (j + QK / 2);
        }
        QuantMath.putI32(y, qh, bits);
    }
}
