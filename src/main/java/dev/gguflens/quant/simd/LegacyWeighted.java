package dev.gguflens.quant.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the weighted legacy encoders share (reference/quantizers-imatrix.md §3.1, §3.2): per row,
 * {@code sigma2 = Σx²/n_per_row} over the whole row; per 32-value block, weights
 * {@code qw·sqrtf(sigma2 + x²)} and one search, lane per block: make_qx_quants(32, nmax, x, L, 1, w)
 * for Q4_0 and Q5_0, make_qkx3_quants(32, nmax, x, w, L, &the_min, Laux, -0.9f, 0.05f, 36, false) for
 * Q4_1 and Q5_1. The codes are the search's levels, without a re-quantization; the codec packs them.
 *
 * <p>Use: for each group of blocks, {@link #search}, then {@link #finish} per block, which leaves the
 * block's {@link #scale}, {@link #theMin} and {@link #levels}. One instance is the scratch of one call.
 */
final class LegacyWeighted {
    static final int QK = 32;
    private static final int ROWS_AT_ONCE = 4;

    /** The scale of the block last finished (make_qx_quants' or make_qkx3_quants' return value). */
    float scale;
    /** make_qkx3_quants' {@code the_min} of the block last finished (0 for the symmetric search). */
    float theMin;
    /** The levels of the block last finished, in value order. */
    final byte[] levels = new byte[QK];
    /** Blocks per group. */
    final int blocks;

    private final int nmax;
    private final SubBlocks values;
    private final TransposedImportance importance;
    /** The weights, transposed like the values, and per block its row's sigma2. */
    private final float[] weights;
    private final float[] sigma2;
    private final SymmetricSearch symmetric;
    private final ScaleMinSearch scaleMin;
    /** Σx² of rows {@code sumsFrom ..}. */
    private final float[] rowSums = new float[ROWS_AT_ONCE];
    private int sumsFrom = -ROWS_AT_ONCE;

    private LegacyWeighted(int nmax, boolean withMin) {
        this.nmax = nmax;
        // make_qkx3's search runs two vectors of blocks at a time, make_qx's one
        this.values = new SubBlocks(QK, 1, withMin ? 2 : 1);
        this.importance = new TransposedImportance(values);
        this.blocks = values.blocks;
        this.weights = new float[values.x.length];
        this.sigma2 = new float[blocks];
        this.symmetric = withMin ? null : new SymmetricSearch(values.count, QK, nmax);
        this.scaleMin = withMin ? new ScaleMinSearch(values.count, QK, nmax, -0.9f, 0.05f, 36, false) : null;
    }

    /** Q4_0 ({@code nmax} 8), Q5_0 (16): make_qx_quants, levels 0..2·nmax-1. */
    static LegacyWeighted symmetric(int nmax) {
        return new LegacyWeighted(nmax, false);
    }

    /** Q4_1 ({@code nmax} 15), Q5_1 (31): make_qkx3_quants, levels 0..nmax. */
    static LegacyWeighted withMin(int nmax) {
        return new LegacyWeighted(nmax, true);
    }

    /**
     * Loads the group of blocks from block {@code b0} of the {@code nb} blocks at {@code x[xOff ..]}
     * (rows of {@code blocksPerRow} blocks, importance of a row at {@code qw[qwOff ..]}), computes their
     * weights and runs the search; returns the number of blocks in the group.
     */
    int search(float[] x, int xOff, int b0, int nb, int blocksPerRow, float[] qw, int qwOff) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int g = Math.min(blocks, nb - b0);
        values.load(x, xOff + b0 * QK, g);
        for (int b = 0; b < blocks; b++) {
            int row = (b0 + b) / blocksPerRow;
            if (b >= g) {
                sigma2[b] = 0.0f; // a padding lane: values and importance 0, so weights 0
                continue;
            }
            if (row < sumsFrom || row >= sumsFrom + ROWS_AT_ONCE) {
                // Σx² of this row and the next few (rows come in order), each a sequential float sum
                int rowLength = blocksPerRow * QK;
                int count = Math.min(ROWS_AT_ONCE, nb / blocksPerRow - row);
                SequentialSums.ofSquares(x, xOff + row * rowLength, rowLength, count, rowSums);
                sumsFrom = row;
            }
            // sigma2 = Σx²/n_per_row over the whole row
            sigma2[b] = rowSums[row - sumsFrom] / (float) (blocksPerRow * QK);
        }
        float[] qwt = importance.of(g, b0, blocksPerRow, qw, qwOff);
        float[] xt = values.x;
        for (int s0 = 0; s0 < blocks; s0 += VectorWidth.LANES) {
            FloatVector sig = FloatVector.fromArray(sp, sigma2, s0);
            for (int i = 0; i < QK; i++) {
                int at = i * blocks + s0;
                FloatVector xv = FloatVector.fromArray(sp, xt, at);
                // qw * sqrtf(sigma2 + x*x): three roundings and a correctly rounded square root, no FMA
                FloatVector.fromArray(sp, qwt, at).mul(xv.mul(xv).add(sig).sqrt()).intoArray(weights, at);
            }
        }
        if (symmetric != null) {
            for (int s0 = 0; s0 < values.count; s0 += VectorWidth.LANES) {
                symmetric.runWeighted(values.x, weights, values.count, s0);
            }
        } else {
            for (int s0 = 0; s0 < values.count; s0 += 2 * VectorWidth.LANES) {
                scaleMin.run(values.x, weights, values.count, s0);
            }
        }
        return g;
    }

    /** The results of block {@code b} of the group, whose values are at {@code x[xb ..]}. */
    void finish(int b, float[] x, int xb) {
        if (symmetric != null) {
            scale = symmetric.scale[b];
            theMin = 0;
            if (symmetric.zeroGroup(b)) {
                Arrays.fill(levels, (byte) 0);
            } else {
                Levels.scaled(x, xb, QK, symmetric.levelScale[b], -nmax, nmax - 1, nmax, levels, 0);
            }
        } else {
            scale = scaleMin.scale[b];
            theMin = scaleMin.theMin[b];
            Levels.scaledFromMin(x, xb, QK, scaleMin.levelScale[b], scaleMin.levelMin[b], 0, nmax, levels, 0);
        }
    }

    /** {@code qs[j] = (L[j] & 0xF) | (L[j+16] & 0xF) << 4} for the 16 bytes at {@code y[at ..]}. */
    static void packNibbles(byte[] L, byte[] y, int at) {
        VectorWidth.piece(L, 0).and((byte) 0xF)
                .or(VectorWidth.piece(L, QK / 2).lanewise(VectorOperators.LSHL, 4))
                .intoArray(y, at);
    }

    /** The Q5 types' {@code qh}: bit j is bit 4 of {@code L[j]} (levels are 0..31). */
    static int fifthBits(byte[] L) {
        long lo = VectorWidth.piece(L, 0).compare(VectorOperators.GE, (byte) 16).toLong();
        long hi = VectorWidth.piece(L, QK / 2).compare(VectorOperators.GE, (byte) 16).toLong();
        return (int) (lo | hi << 16);
    }
}
