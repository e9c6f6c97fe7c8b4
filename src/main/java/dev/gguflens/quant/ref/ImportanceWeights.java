package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * The importance-weight arithmetic the weighted encoders share (reference/quantizers-imatrix.md §2.1):
 * {@code w[j] = qw[j] * sqrtf(sigma2 + x[j]*x[j])}, with {@code qw} the imatrix value of the element's
 * column and {@code sigma2} a per-type multiple of a sum of squares; and the argument checks of
 * {@code quantizeRows}.
 */
final class ImportanceWeights {
    private ImportanceWeights() {
    }

    /** {@code Σ x[i]*x[i]} over {@code x[off .. off+n)}: a float sum from 0 in index order (the order is part of the result). */
    static float sumOfSquares(float[] x, int off, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i] * x[off + i];
        }
        return s;
    }

    /**
     * Writes {@code n} weights {@code qw[qOff+i] * sqrtf(sigma2 + x[xOff+i]²)} to {@code w} from {@code wOff},
     * each operation rounded to float (sqrtf is correctly rounded, and so is the double root rounded back).
     */
    static void fill(float[] w, int wOff, float[] qw, int qOff, float sigma2, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            w[wOff + i] = qw[qOff + i] * (float) Math.sqrt(sigma2 + xi * xi);
        }
    }

    /** {@code Σ w[i]} over {@code w[off .. off+n)}, sequential from 0 (the sub-block weights {@code sw} of the K-quants). */
    static float sum(float[] w, int off, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += w[off + i];
        }
        return s;
    }

    /**
     * The number of {@code type} blocks in a row of {@code nPerRow} values, after checking that the row is whole
     * blocks and that {@code importance} holds {@code nPerRow} weights from {@code importanceOff}.
     */
    static int blocksPerRow(GgmlType type, int nRows, int nPerRow, float[] importance, int importanceOff) {
        if (nRows < 0) {
            throw new IllegalArgumentException(nRows + " rows");
        }
        if (importanceOff < 0 || importance.length - importanceOff < nPerRow) {
            throw new IllegalArgumentException("importance holds " + (importance.length - importanceOff) + " weights from offset "
                    + importanceOff + ", rows have " + nPerRow + " values (" + type + ")");
        }
        return BlockChecks.blocks(type, nPerRow);
    }

    /** One block's step of a weighted encoder: values at {@code x[xo]}, output at {@code y[yo]}, its columns' importance at {@code qw[qo]}. */
    @FunctionalInterface
    interface BlockStep {
        void encode(int xo, int yo, int qo, long block);
    }

    /**
     * Runs {@code step} on every block of {@code nRows} rows of {@code nPerRow} values, in order, as ggml's
     * {@code quantize_<type>(src, dst, nrow, n_per_row, imatrix)} walks them: block {@code b} of every row takes
     * the importance values of its columns, {@code qw[qwOff + b·blockSize ..]} (the same for every row); {@code block}
     * counts the blocks of the call (for abort messages). Checks the row and the importance vector first.
     */
    static void forEachBlock(GgmlType type, int srcOff, int dstOff, int nRows, int nPerRow, float[] qw, int qwOff, BlockStep step) {
        int nb = blocksPerRow(type, nRows, nPerRow, qw, qwOff);
        int size = type.blockSize();
        int bytes = type.typeSize();
        long block = 0;
        for (int row = 0; row < nRows; row++) {
            for (int b = 0; b < nb; b++, block++) {
                step.encode(srcOff + row * nPerRow + b * size, Math.toIntExact(dstOff + block * bytes), qwOff + b * size, block);
            }
        }
    }
}
