package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code make_qx_quants} with {@code rmse_type = 1} and no weights (reference/quantizers.md §2.2;
 * {@code quant.ref.SymmetricQuants}) on a vector of sub-blocks at once, lane k on sub-block k, each
 * lane doing the reference's float operations in its order. The winning levels are
 * {@code nmax + clamp(nearest_int(levelScale·x), -nmax, nmax-1)}, or all 0 for a zero group, which the
 * caller recomputes where it needs them.
 *
 * <p>Split into methods exchanging lane state through arrays, as {@link ScaleMinSearch} explains.
 */
final class SymmetricSearch {
    /** Below this a group counts as all zero ({@code GROUP_MAX_EPS}). */
    static final float GROUP_MAX_EPS = 1e-15f;

    /** Per sub-block of the group: the scale (the function's return value, often negative). */
    final float[] scale;
    /** Per sub-block: the iscale whose levels won. */
    final float[] levelScale;
    /** Per sub-block: whether it was a zero group (levels all 0). */
    final boolean[] zeroGroup;

    private final int n;
    private final int nmax;
    /** Step 8's candidate numerators {@code -(nmax + 0.1f·is)} for is = -9..9 without 0, in order. */
    private final float[] candidates = new float[18];
    /** {@code x²} and {@code x²·x}, transposed like the values. */
    private final float[] w;
    private final float[] wx;
    // lane state between the steps
    private final float[] max = new float[VectorWidth.LANES];
    private final float[] amax = new float[VectorWidth.LANES];
    private final float[] bestScale = new float[VectorWidth.LANES];
    private final float[] best = new float[VectorWidth.LANES];
    private final float[] bestIscale = new float[VectorWidth.LANES];
    /** Three candidates' iscale, sumlx and suml2, in that order. */
    private final float[] sums = new float[9 * VectorWidth.LANES];

    SymmetricSearch(int subBlocks, int n, int nmax) {
        this.n = n;
        this.nmax = nmax;
        this.w = new float[n * subBlocks];
        this.wx = new float[n * subBlocks];
        this.scale = new float[subBlocks];
        this.levelScale = new float[subBlocks];
        this.zeroGroup = new boolean[subBlocks];
        int k = 0;
        for (int is = -9; is <= 9; is++) {
            if (is != 0) {
                candidates[k++] = -(nmax + 0.1f * is);
            }
        }
    }

    /** Runs the search on sub-blocks {@code s0 .. s0+LANES} of {@code xt} (transposed as {@link SubBlocks}). */
    void run(float[] xt, int stride, int s0) {
        firstFit(xt, stride, s0);
        // step 8: is = -9..9 without 0, in that order. A candidate's sums do not depend on which earlier
        // candidate won, so three at a time share the loads; the winners are then picked in order.
        for (int k = 0; k < candidates.length; k += 3) {
            sums3(xt, stride, s0, candidates[k], candidates[k + 1], candidates[k + 2]);
            pick3();
        }
        finish(s0);
    }

    /** Steps 1–7: the first element of largest magnitude (with its sign) and the fit at {@code -nmax/max}. */
    private void firstFit(float[] xt, int stride, int s0) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector mx = FloatVector.zero(sp);
        FloatVector am = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * stride + s0);
            FloatVector ax = xi.abs();
            VectorMask<Float> larger = ax.compare(VectorOperators.GT, am);
            am = am.blend(ax, larger);
            mx = mx.blend(xi, larger);
        }
        FloatVector iscale = FloatVector.broadcast(sp, (float) -nmax).div(mx);
        FloatVector sumlx = FloatVector.zero(sp);
        FloatVector suml2 = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            int at = i * stride + s0;
            FloatVector xi = FloatVector.fromArray(sp, xt, at);
            FloatVector wi = xi.mul(xi);
            FloatVector wxi = wi.mul(xi);
            wi.intoArray(w, at);
            wxi.intoArray(wx, at);
            FloatVector l = VectorWidth.levelsAsFloats(iscale.mul(xi), -nmax, nmax - 1);
            sumlx = sumlx.add(wxi.mul(l));
            suml2 = suml2.add(wi.mul(l).mul(l));
        }
        // C's `suml2 ? sumlx/suml2 : 0`: a NaN counts as non-zero, as the NE compare does
        FloatVector sc = sumlx.div(suml2).blend(0.0f, suml2.compare(VectorOperators.NE, 0.0f).not());
        mx.intoArray(max, 0);
        am.intoArray(amax, 0);
        sc.intoArray(bestScale, 0);
        sc.mul(sumlx).intoArray(best, 0);
        iscale.intoArray(bestIscale, 0);
    }

    /** Three candidates' {@code iscale = numerator/max} and their sums {@code Σ w·x·l}, {@code Σ w·l·l}, into {@link #sums}. */
    private void sums3(float[] xt, int stride, int s0, float numerator0, float numerator1, float numerator2) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int lanes = VectorWidth.LANES;
        FloatVector mx = FloatVector.fromArray(sp, max, 0);
        FloatVector iscale0 = FloatVector.broadcast(sp, numerator0).div(mx);
        FloatVector iscale1 = FloatVector.broadcast(sp, numerator1).div(mx);
        FloatVector iscale2 = FloatVector.broadcast(sp, numerator2).div(mx);
        FloatVector lx0 = FloatVector.zero(sp);
        FloatVector l20 = FloatVector.zero(sp);
        FloatVector lx1 = FloatVector.zero(sp);
        FloatVector l21 = FloatVector.zero(sp);
        FloatVector lx2 = FloatVector.zero(sp);
        FloatVector l22 = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            int at = i * stride + s0;
            FloatVector xi = FloatVector.fromArray(sp, xt, at);
            FloatVector wi = FloatVector.fromArray(sp, w, at);
            FloatVector wxi = FloatVector.fromArray(sp, wx, at);
            FloatVector l0 = VectorWidth.levelsAsFloats(iscale0.mul(xi), -nmax, nmax - 1);
            FloatVector l1 = VectorWidth.levelsAsFloats(iscale1.mul(xi), -nmax, nmax - 1);
            FloatVector l2 = VectorWidth.levelsAsFloats(iscale2.mul(xi), -nmax, nmax - 1);
            lx0 = lx0.add(wxi.mul(l0));
            l20 = l20.add(wi.mul(l0).mul(l0));
            lx1 = lx1.add(wxi.mul(l1));
            l21 = l21.add(wi.mul(l1).mul(l1));
            lx2 = lx2.add(wxi.mul(l2));
            l22 = l22.add(wi.mul(l2).mul(l2));
        }
        iscale0.intoArray(sums, 0);
        lx0.intoArray(sums, lanes);
        l20.intoArray(sums, 2 * lanes);
        iscale1.intoArray(sums, 3 * lanes);
        lx1.intoArray(sums, 4 * lanes);
        l21.intoArray(sums, 5 * lanes);
        iscale2.intoArray(sums, 6 * lanes);
        lx2.intoArray(sums, 7 * lanes);
        l22.intoArray(sums, 8 * lanes);
    }

    /** Step 8's test for the three candidates of {@link #sums}, in order: kept if {@code suml2 > 0} and {@code sumlx² > best·suml2}. */
    private void pick3() {
        VectorSpecies<Float> sp = VectorWidth.F;
        int lanes = VectorWidth.LANES;
        FloatVector b = FloatVector.fromArray(sp, best, 0);
        FloatVector sc = FloatVector.fromArray(sp, bestScale, 0);
        FloatVector is = FloatVector.fromArray(sp, bestIscale, 0);
        for (int j = 0; j < 3; j++) {
            FloatVector sumlx = FloatVector.fromArray(sp, sums, (3 * j + 1) * lanes);
            FloatVector suml2 = FloatVector.fromArray(sp, sums, (3 * j + 2) * lanes);
            VectorMask<Float> better = suml2.compare(VectorOperators.GT, 0.0f)
                    .and(sumlx.mul(sumlx).compare(VectorOperators.GT, b.mul(suml2)));
            FloatVector newScale = sumlx.div(suml2);
            sc = sc.blend(newScale, better);
            b = b.blend(newScale.mul(sumlx), better);
            is = is.blend(FloatVector.fromArray(sp, sums, 3 * j * lanes), better);
        }
        b.intoArray(best, 0);
        sc.intoArray(bestScale, 0);
        is.intoArray(bestIscale, 0);
    }

    /** Step 9, with step 2's zero groups (scale 0, levels 0). */
    private void finish(int s0) {
        VectorSpecies<Float> sp = VectorWidth.F;
        VectorMask<Float> zero = FloatVector.fromArray(sp, amax, 0).compare(VectorOperators.LT, GROUP_MAX_EPS);
        FloatVector.fromArray(sp, bestScale, 0).blend(0.0f, zero).intoArray(scale, s0);
        FloatVector.fromArray(sp, bestIscale, 0).intoArray(levelScale, s0);
        zero.intoArray(zeroGroup, s0);
    }
}
