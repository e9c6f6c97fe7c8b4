package dev.gguflens.quant.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-value weights of the weighted K-quants (reference/quantizers-imatrix.md §2.1) for one group of
 * 256-value blocks, transposed like the group's values ({@link SubBlocks}), and each sub-block's weight
 * sum.
 *
 * <p>The weights are computed element-wise on the transposed values (no order questions there) from the
 * transposed importance values ({@link TransposedImportance}). Only the block's {@code Σx²}, a sequential
 * float sum, is scalar ({@link SequentialSums}).
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

    /**
     * The weights of the group last computed, transposed: element i of sub-block s at {@code i·count + s}
     * (for {@link Formula#RAW}, the kept transposed importance values themselves).
     */
    float[] transposed;
    /** Per sub-block of the group: the sequential sum of its weights ({@code sw[j]} in ggml); not for {@link Formula#RAW}. */
    final float[] subSums;
    private final Formula formula;
    private final SubBlocks values;
    private final float[] weights;
    private final TransposedImportance importance;
    /** Per block of the group: {@code S = Σx²}; per sub-block: its block's {@code sigma2}. */
    private final float[] sumX2;
    private final float[] sigma2;

    /** Weights for the groups of {@code values}, which the caller loads before each {@link #compute}. */
    BlockWeights(SubBlocks values, Formula formula) {
        this.values = values;
        this.formula = formula;
        this.weights = new float[values.x.length];
        this.subSums = new float[values.count];
        this.importance = new TransposedImportance(values);
        this.sumX2 = new float[values.blocks];
        this.sigma2 = new float[values.count];
    }

    /**
     * Computes the weights of the {@code g} blocks whose values start at {@code x[xo]} and are loaded in the
     * values group, the first being block {@code firstBlock} of the run (counted from the start of a row),
     * with the importance of a row at {@code qw[qwOff ..]}. One instance serves one run: the kept
     * importance values are those of {@code qw}.
     */
    void compute(float[] x, int xo, int g, int firstBlock, int blocksPerRow, float[] qw, int qwOff) {
        float[] qwt = importance.of(g, firstBlock, blocksPerRow, qw, qwOff);
        if (formula == Formula.RAW) {
            transposed = qwt;
            return;
        }
        SequentialSums.ofSquares(x, xo, QK_K, g, sumX2);
        for (int b = 0; b < values.blocks; b++) {
            // padding blocks (values and importance 0) get sigma2 0 and so weights 0
            float s = b < g ? (formula == Formula.SIGMA_SUM ? sumX2[b] / QK_K : 2 * sumX2[b] / QK_K) : 0.0f;
            Arrays.fill(sigma2, b * values.perBlock, (b + 1) * values.perBlock, s);
        }
        VectorSpecies<Float> sp = VectorWidth.F;
        float[] xt = values.x;
        int stride = values.count;
        for (int s0 = 0; s0 < stride; s0 += VectorWidth.LANES) {
            FloatVector sig = FloatVector.fromArray(sp, sigma2, s0);
            // sw[j]: each sub-block's weights summed from element 0, one lane per sub-block
            FloatVector sum = FloatVector.zero(sp);
            for (int i = 0; i < values.length; i++) {
                int at = i * stride + s0;
                FloatVector xv = FloatVector.fromArray(sp, xt, at);
                // qw * sqrtf(sigma2 + x*x): three roundings and a correctly rounded square root, no FMA
                FloatVector w = FloatVector.fromArray(sp, qwt, at).mul(xv.mul(xv).add(sig).sqrt());
                w.intoArray(weights, at);
                sum = sum.add(w);
            }
            sum.intoArray(subSums, s0);
        }
        transposed = weights;
    }
}
