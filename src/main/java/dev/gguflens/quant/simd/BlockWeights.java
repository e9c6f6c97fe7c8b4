package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-value weights of the weighted K-quants (reference/quantizers-imatrix.md §2.1) for one group of
 * 256-value blocks, transposed like the group's values ({@link SubBlocks}), and each sub-block's weight
 * sum. The importance vector holds one value per column of a row, so block k of a run of rows uses the
 * slice of its position in the row, {@code k % blocksPerRow}.
 *
 * <p>The weights are computed element-wise on the blocks as they lie in memory (no order questions there)
 * and then transposed; only the block's {@code Σx²}, a sequential float sum, is scalar ({@link SequentialSums}).
 */
final class BlockWeights {
    static final int QK_K = 256;

    /** How a type turns the importance value {@code qw} of a value {@code x} into its weight. */
    enum Formula {
        /** Q6_K: the raw importance value. */
        RAW,
        /** Q2_K: {@code qw·sqrtf(sigma2 + x²)}, {@code sigma2 = Σx²/256} over the block. */
        SIGMA_SUM,
        /** Q3_K, Q4_K, Q5_K: {@code qw·sqrtf(sigma2 + x²)}, {@code sigma2 = (2·Σx²)/256} over the block. */
        SIGMA_TWICE_SUM
    }

    /** The weights, transposed ({@code layout.x}): element i of sub-block s at {@code i·count + s}. */
    final SubBlocks layout;
    /** Per sub-block of the group: the sequential sum of its weights ({@code sw[j]} in ggml). */
    final float[] subSums;
    private final Formula formula;
    private final float[] linear;
    /** Per block of the group: {@code S = Σx²}. */
    private final float[] sumX2;

    BlockWeights(SubBlocks values, Formula formula) {
        this.layout = values.sameShape();
        this.subSums = new float[values.count];
        this.formula = formula;
        this.linear = new float[values.blocks * QK_K];
        this.sumX2 = new float[values.blocks];
    }

    /**
     * Computes the weights of {@code g} blocks whose values start at {@code x[xo]}, the first being block
     * {@code firstBlock} of the run (counted from the start of a row), with the importance of a row at
     * {@code qw[qwOff ..]}.
     */
    void compute(float[] x, int xo, int g, int firstBlock, int blocksPerRow, float[] qw, int qwOff) {
        VectorSpecies<Float> sp = VectorWidth.F;
        if (formula != Formula.RAW) {
            SequentialSums.ofSquares(x, xo, QK_K, g, sumX2);
        }
        for (int b = 0; b < g; b++) {
            int xb = xo + b * QK_K;
            int qb = qwOff + (firstBlock + b) % blocksPerRow * QK_K;
            int wb = b * QK_K;
            if (formula == Formula.RAW) {
                System.arraycopy(qw, qb, linear, wb, QK_K);
                continue;
            }
            float sigma2 = formula == Formula.SIGMA_SUM ? sumX2[b] / QK_K : 2 * sumX2[b] / QK_K;
            for (int k = 0; k < QK_K; k += VectorWidth.LANES) {
                FloatVector xv = FloatVector.fromArray(sp, x, xb + k);
                // qw * sqrtf(sigma2 + x*x): three roundings and a correctly rounded square root, no FMA
                FloatVector.fromArray(sp, qw, qb + k).mul(xv.mul(xv).add(sigma2).sqrt()).intoArray(linear, wb + k);
            }
        }
        layout.load(linear, 0, g);
        // sw[j]: each sub-block's weights summed from element 0, one lane per sub-block
        float[] wt = layout.x;
        int stride = layout.count;
        for (int s0 = 0; s0 < stride; s0 += VectorWidth.LANES) {
            FloatVector sum = FloatVector.zero(sp);
            for (int i = 0; i < layout.length; i++) {
                sum = sum.add(FloatVector.fromArray(sp, wt, i * stride + s0));
            }
            sum.intoArray(subSums, s0);
        }
    }
}
