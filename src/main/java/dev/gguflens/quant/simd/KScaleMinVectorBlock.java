package dev.gguflens.quant.simd;

import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.KScaleMin6;
import dev.gguflens.quant.ref.QuantMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The part Q4_K and Q5_K share (reference/quantizers.md §3 Q4_K steps 1–3; {@code quant.ref.KScaleMinBlock}),
 * vectorized: the weights and the scale-and-min search run lane per 32-value sub-block over a group of
 * blocks; the per-block steps (6-bit scales, fp16 super-scales) stay scalar; the re-quantization is
 * element-wise. Without weights, one instance is the working state of one thread's {@code quantize} calls, kept
 * between them: allocated per call (a call is often a few groups of blocks), it was most of a simulation's
 * garbage. Each call writes every field before reading it, and {@link SubBlocks#load} zero-pads a short group.
 * With weights, an instance serves one call: its {@link BlockWeights} keep that call's importance values.
 *
 * <p>With importance weights (reference/quantizers-imatrix.md §3.5, §3.6) the same shape holds: the
 * weights come from {@link BlockWeights}, the search is make_qkx3_quants (make_qkx2_quants' algorithm with
 * other candidates, see {@link #weighted}), and the 6-bit scales and mins come from make_qp_quants
 * ({@link QpSearch}, one block per lane).
 */
final class KScaleMinVectorBlock {
    static final int QK_K = 256;
    static final int SUB = 32;
    static final int D = 0;
    static final int DMIN = 2;
    static final int SCALES = 4;

    final SubBlocks group;
    /** The levels (0..nmax) of the block last finished, in value order. */
    final byte[] levels = new byte[QK_K];
    private final int nmax;
    private final float[] weights;
    private final BlockWeights importanceWeights;
    private final ScaleMinSearch search;
    // weighted only: each block's scales, mins and sub-block weight sums, one block per lane, and their fits
    private final SubBlocks blockScales;
    private final SubBlocks blockMins;
    private final SubBlocks blockWeightSums;
    private final QpSearch scaleFit;
    private final QpSearch minFit;

    /** Without importance weights: make_qkx2_quants(32, nmax, x, av_x + |x|, ..., rmin, 0.1f, nstep, false). */
    KScaleMinVectorBlock(int nmax, float rmin, int nstep) {
        this(nmax, rmin, 0.1f, nstep, false);
    }

    private KScaleMinVectorBlock(int nmax, float rmin, float rdelta, int nstep, boolean weighted) {
        this.nmax = nmax;
        // weighted: a group of one block per lane, so that make_qp_quants runs on whole vectors of blocks
        this.group = new SubBlocks(SUB, QK_K / SUB, weighted ? QK_K / SUB : 2);
        this.weights = weighted ? null : new float[group.x.length];
        this.importanceWeights = weighted ? new BlockWeights(group, BlockWeights.Formula.SIGMA_TWICE_SUM) : null;
        this.search = new ScaleMinSearch(group.count, SUB, nmax, rmin, rdelta, nstep, false);
        this.blockScales = weighted ? new SubBlocks(QK_K / SUB, 1, 1) : null;
        this.blockMins = weighted ? blockScales.sameShape() : null;
        this.blockWeightSums = weighted ? blockScales.sameShape() : null;
        this.scaleFit = weighted ? new QpSearch(QK_K / SUB, 63) : null;
        this.minFit = weighted ? new QpSearch(QK_K / SUB, 63) : null;
    }

    /**
     * With importance weights: make_qkx3_quants(32, nmax, x, qw·sqrtf(sigma2 + x²), ..., -0.9f, 0.05f, 36,
     * false). make_qkx3_quants differs from make_qkx2_quants only in its default weights (not used: the
     * weights are given), its candidates, and its constant-block test {@code max <= min}, which is
     * {@code max == min} here: after step 2 min is at most the first value and max at least it, unless
     * the first value is NaN, where both tests are false.
     */
    static KScaleMinVectorBlock weighted(int nmax) {
        return new KScaleMinVectorBlock(nmax, -0.9f, 0.05f, 36, true);
    }

    /** Step 1 for every sub-block of the loaded group: weights {@code av_x + |x|}, then make_qkx2_quants. */
    void searchGroup() {
        averageWeights();
        for (int s0 = 0; s0 < group.count; s0 += 2 * VectorWidth.LANES) {
            search.run(group.x, weights, group.count, s0);
        }
    }

    /** The weights {@code av_x + |x|} of every sub-block of the loaded group. */
    private void averageWeights() {
        VectorSpecies<Float> sp = VectorWidth.F;
        float[] xt = group.x;
        int stride = group.count;
        for (int s0 = 0; s0 < stride; s0 += VectorWidth.LANES) {
            // av_x = sqrtf(Σx²/32), the sum sequential from element 0 in each lane
            FloatVector sumX2 = FloatVector.zero(sp);
            for (int i = 0; i < SUB; i++) {
                FloatVector xi = FloatVector.fromArray(sp, xt, i * stride + s0);
                sumX2 = sumX2.add(xi.mul(xi));
            }
            FloatVector avX = sumX2.div(32.0f).sqrt();
            for (int i = 0; i < SUB; i++) {
                avX.add(FloatVector.fromArray(sp, xt, i * stride + s0).abs()).intoArray(weights, i * stride + s0);
            }
        }
    }

    /**
     * Steps 1–3 of the weighted encoders for the {@code g} blocks just loaded into {@link #group} from
     * {@code x[xo ..]}: the weights (block {@code firstBlock} of a run of rows with {@code blocksPerRow}
     * blocks each, importance of a row at {@code qw[qwOff ..]}), make_qkx3_quants per sub-block, then
     * make_qp_quants on each block's scales and on its mins.
     */
    void searchWeightedGroup(float[] x, int xo, int g, int firstBlock, int blocksPerRow, float[] qw, int qwOff) {
        importanceWeights.compute(x, xo, g, firstBlock, blocksPerRow, qw, qwOff);
        for (int s0 = 0; s0 < group.count; s0 += 2 * VectorWidth.LANES) {
            search.run(group.x, importanceWeights.transposed, group.count, s0);
        }
        // step 3: make_qp_quants(8, 63, scales, Ls, sw) and (8, 63, mins, Lm, sw), one block per lane
        blockScales.load(search.scale, 0, g);
        blockMins.load(search.theMin, 0, g);
        blockWeightSums.load(importanceWeights.subSums, 0, g);
        scaleFit.run(blockScales.x, blockWeightSums.x);
        minFit.run(blockMins.x, blockWeightSums.x);
    }

    /**
     * Steps 2–3 for block {@code b} of the group, whose values are at {@code x[xo ..]}: writes d, dmin and
     * the 12 scale bytes at {@code y[yo ..]} and leaves the block's levels in {@link #levels}. Unless
     * {@code decoded} is null, also writes there from {@code decodedOff} the 256 values the block decodes to,
     * {@code dd·L − dm} with the very dd and dm that dequantize computes from the stored bytes (d times the
     * 6-bit scale, dmin times the 6-bit min).
     */
    void finishBlock(int b, float[] x, int xo, byte[] y, int yo, float[] decoded, int decodedOff) {
        int first = b * group.perBlock;
        float[] scales = search.scale;
        float[] mins = search.theMin;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < group.perBlock; j++) {
            if (scales[first + j] > maxScale) {
                maxScale = scales[first + j];
            }
            if (mins[first + j] > maxMin) {
                maxMin = mins[first + j];
            }
        }
        // step 2: 6-bit scales and mins; C stores NI in a uint8 before MIN(63, ·)
        float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
        float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
        for (int j = 0; j < group.perBlock; j++) {
            int ls = Math.min(63, QuantMath.nearestInt(invScale * scales[first + j]) & 0xFF);
            int lm = Math.min(63, QuantMath.nearestInt(invMin * mins[first + j]) & 0xFF);
            KScaleMin6.put(y, yo + SCALES, j, ls, lm);
        }
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(maxScale / 63.0f));
        QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(maxMin / 63.0f));
        requantize(first, x, xo, y, yo, decoded, decodedOff);
    }

    /**
     * The weighted steps 4–5 (quantizers-imatrix.md §3.5) for block {@code b} of the group: the levels of the
     * scales and mins that make_qp_quants found, packed as they come (Q4_K) or capped at 63 first
     * ({@code capAt63}, Q5_K), d and dmin, then the levels as without weights.
     */
    void finishWeightedBlock(int b, float[] x, int xo, byte[] y, int yo, boolean capAt63) {
        int lanes = VectorWidth.LANES;
        for (int j = 0; j < group.perBlock; j++) {
            int ls = scaleFit.levels[j * lanes + b];
            int lm = minFit.levels[j * lanes + b];
            KScaleMin6.put(y, yo + SCALES, j, capAt63 ? Math.min(63, ls) : ls, capAt63 ? Math.min(63, lm) : lm);
        }
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(scaleFit.scale[b]));
        QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(minFit.scale[b]));
        requantize(b * group.perBlock, x, xo, y, yo, null, 0);
    }

    /**
     * Re-quantizes with the stored scales and mins; a zero scale keeps the search's levels. Unless {@code decoded}
     * is null, also decodes the levels there ({@link #finishBlock}).
     */
    private void requantize(int first, float[] x, int xo, byte[] y, int yo, float[] decoded, int decodedOff) {
        float d = QuantMath.f16(y, yo + D);
        float dmin = QuantMath.f16(y, yo + DMIN);
        for (int j = 0; j < group.perBlock; j++) {
            float dd = d * KScaleMin6.scale(y, yo + SCALES, j);
            float dm = dmin * KScaleMin6.min(y, yo + SCALES, j);
            int xs = xo + SUB * j;
            if (dd == 0) {
                Levels.scaledFromMin(x, xs, SUB, search.levelScale[first + j], search.levelMin[first + j], 0, nmax, levels, SUB * j);
            } else {
                Levels.shiftedDivided(x, xs, SUB, dm, dd, 0, nmax, levels, SUB * j);
            }
            if (decoded != null) {
                Levels.decodeScaledShifted(levels, SUB * j, SUB, dd, dm, decoded, decodedOff + SUB * j);
            }
        }
    }
}
