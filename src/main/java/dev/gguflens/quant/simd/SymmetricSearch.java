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
 * <p>Nearly all the time goes into the candidates' levels and sums, so the levels take as few
 * operations as exactness allows. {@code v + 1.5·2^23} holds {@code nearest_int(v)} in its low mantissa
 * bits (§2.1): clamping its bits as an int against those of {@code 1.5·2^23 + nmax-1} (and of
 * {@code 1.5·2^23 - nmax}) and subtracting {@code 1.5·2^23} again gives the clamped level as an exact
 * float. That equals {@code clamp(nearest_int(v), -nmax, nmax-1)} for {@code |v| < 2^22}, and every lane
 * whose result counts stays far inside: with finite values and {@code amax >= GROUP_MAX_EPS},
 * {@code |v| = |numerator/max·x|} is at most {@code |numerator|·(1 + 2^-23)}. The same bound drops the
 * lower clamp for numerators down to {@code -(nmax + 0.45)}: their v stays above {@code -nmax - 0.5}, where
 * nearest_int cannot go below {@code -nmax}.
 *
 * <p>Lanes below {@code GROUP_MAX_EPS} are zero groups, whose results are replaced. A sub-block holding a
 * NaN or an infinity can get other levels than the reference at those elements (the reference's level
 * for a NaN v is 0), but there the weight {@code x²} is NaN or infinite, and so is every product with it
 * whatever the level: both end with NaN or infinite sums, hence a NaN first-fit scale and best, and no
 * candidate passes {@code sumlx² > NaN·suml2}. The results agree.
 *
 * <p>Split into methods exchanging lane state through arrays, as {@link ScaleMinSearch} explains.
 */
final class SymmetricSearch {
    /** Below this a group counts as all zero ({@code GROUP_MAX_EPS}). */
    static final float GROUP_MAX_EPS = 1e-15f;
    /** Candidates whose sums one pass over the values computes (step 8 has 18). */
    private static final int BATCH = 3;
    /** Step 8's candidates: is = -9..9 without 0. */
    private static final int CANDIDATES = 18;

    /** Per sub-block of the group: the scale (the function's return value, often negative). */
    final float[] scale;
    /** Per sub-block: the iscale whose levels won. */
    final float[] levelScale;
    /** Per sub-block: the largest magnitude (below {@link #GROUP_MAX_EPS}: a zero group, levels all 0). */
    final float[] amax;

    private final int n;
    private final int nmax;
    /** Step 8's candidate numerators {@code -(nmax + 0.1f·is)} for is = -9..9 without 0, in order. */
    private final float[] candidates = new float[CANDIDATES];
    /** {@code x²} and {@code x²·x}, transposed like the values. */
    private final float[] w;
    private final float[] wx;
    // lane state between the steps
    /** Per candidate, its {@code iscale = numerator/max}. */
    private final float[] iscales = new float[CANDIDATES * VectorWidth.LANES];
    private final float[] bestScale = new float[VectorWidth.LANES];
    private final float[] best = new float[VectorWidth.LANES];
    private final float[] bestIscale = new float[VectorWidth.LANES];
    /** Per candidate of a batch: sumlx and suml2. */
    private final float[] sums = new float[2 * BATCH * VectorWidth.LANES];

    SymmetricSearch(int subBlocks, int n, int nmax) {
        this.n = n;
        this.nmax = nmax;
        this.w = new float[n * subBlocks];
        this.wx = new float[n * subBlocks];
        this.scale = new float[subBlocks];
        this.levelScale = new float[subBlocks];
        this.amax = new float[subBlocks];
        int k = 0;
        for (int is = -9; is <= 9; is++) {
            if (is != 0) {
                candidates[k++] = -(nmax + 0.1f * is);
            }
        }
    }

    /** Whether sub-block {@code s} was a zero group (scale 0, levels all 0). */
    boolean zeroGroup(int s) {
        return amax[s] < GROUP_MAX_EPS;
    }

    /** Runs the search on sub-blocks {@code s0 .. s0+LANES} of {@code xt} (transposed as {@link SubBlocks}). */
    void run(float[] xt, int stride, int s0) {
        firstFit(xt, stride, s0);
        // step 8: is = -9..9 without 0, in that order. A candidate's sums do not depend on which earlier
        // candidate won, so a batch of them shares the loads; the winners are then picked in order.
        for (int k = 0; k < CANDIDATES; k += BATCH) {
            // candidates below -(nmax + 0.45) can give levels below -nmax (see the class comment)
            sums(xt, stride, s0, k, candidates[k + BATCH - 1] < -(nmax + 0.45f));
            pick(k);
        }
        finish(s0);
    }

    /**
     * make_qx_quants with given weights ({@code qw}, reference/quantizers-imatrix.md §2.2): the same search
     * with {@code w = wt} in place of {@code x²}, on sub-blocks {@code s0 .. s0+LANES} of {@code xt}, with the
     * weights {@code wt} laid out the same way. The class comment's bound on the levels' arguments needs
     * finite values only, so where every value of the vector is finite the candidates' levels are computed
     * in the magic domain as without weights. Otherwise they are computed as the reference does
     * (nearest_int, then an int clamp): with given weights a NaN or infinite value no longer makes every
     * weight of its sub-block NaN or infinite, so a level at such an element would change the sums.
     */
    void runWeighted(float[] xt, float[] wt, int stride, int s0) {
        boolean finite = firstFitWeighted(xt, wt, stride, s0);
        for (int k = 0; k < CANDIDATES; k += BATCH) {
            if (finite) {
                sums(xt, stride, s0, k, candidates[k + BATCH - 1] < -(nmax + 0.45f));
            } else {
                exactSums(xt, stride, s0, k);
            }
            pick(k);
        }
        finish(s0);
    }

    /** {@link #firstFit} with given weights and exact levels; returns whether every value of the vector is finite. */
    private boolean firstFitWeighted(float[] xt, float[] wt, int stride, int s0) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector mx = FloatVector.zero(sp);
        FloatVector am = FloatVector.zero(sp);
        VectorMask<Float> finite = sp.maskAll(true);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * stride + s0);
            FloatVector ax = xi.abs();
            VectorMask<Float> larger = ax.compare(VectorOperators.GT, am);
            am = am.blend(ax, larger);
            mx = mx.blend(xi, larger);
            // false for NaN and infinities
            finite = finite.and(ax.compare(VectorOperators.LT, Float.POSITIVE_INFINITY));
        }
        FloatVector iscale = FloatVector.broadcast(sp, (float) -nmax).div(mx);
        for (int k = 0; k < CANDIDATES; k++) {
            FloatVector.broadcast(sp, candidates[k]).div(mx).intoArray(iscales, k * VectorWidth.LANES);
        }
        FloatVector sumlx = FloatVector.zero(sp);
        FloatVector suml2 = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            int at = i * stride + s0;
            FloatVector xi = FloatVector.fromArray(sp, xt, at);
            FloatVector wi = FloatVector.fromArray(sp, wt, at);
            FloatVector wxi = wi.mul(xi);
            wi.intoArray(w, at);
            wxi.intoArray(wx, at);
            FloatVector l = VectorWidth.levelsAsFloats(iscale.mul(xi), -nmax, nmax - 1);
            sumlx = sumlx.add(wxi.mul(l));
            suml2 = suml2.add(wi.mul(l).mul(l));
        }
        FloatVector sc = sumlx.div(suml2).blend(0.0f, suml2.compare(VectorOperators.NE, 0.0f).not());
        am.intoArray(amax, s0);
        sc.intoArray(bestScale, 0);
        sc.mul(sumlx).intoArray(best, 0);
        iscale.intoArray(bestIscale, 0);
        return finite.allTrue();
    }

    /** {@link #sums} with exact levels. */
    private void exactSums(float[] xt, int stride, int s0, int k) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int lanes = VectorWidth.LANES;
        FloatVector iscale0 = FloatVector.fromArray(sp, iscales, k * lanes);
        FloatVector iscale1 = FloatVector.fromArray(sp, iscales, (k + 1) * lanes);
        FloatVector iscale2 = FloatVector.fromArray(sp, iscales, (k + 2) * lanes);
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
        lx0.intoArray(sums, 0);
        l20.intoArray(sums, lanes);
        lx1.intoArray(sums, 2 * lanes);
        l21.intoArray(sums, 3 * lanes);
        lx2.intoArray(sums, 4 * lanes);
        l22.intoArray(sums, 5 * lanes);
    }

    /**
     * {@code clamp(nearest_int(v), -nmax, nmax-1)} as a float, in the magic domain (see the class comment);
     * without the lower bound where the caller knows {@code v > -nmax - 0.5}.
     */
    private FloatVector level(FloatVector v, boolean clampBelow) {
        return VectorWidth.magicLevels(v, -nmax, nmax - 1, clampBelow);
    }

    /**
     * Steps 1–7: the first element of largest magnitude (with its sign) and the fit at {@code -nmax/max};
     * also step 8's iscales, whose divisions then run alongside the fit.
     */
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
        for (int k = 0; k < CANDIDATES; k++) {
            FloatVector.broadcast(sp, candidates[k]).div(mx).intoArray(iscales, k * VectorWidth.LANES);
        }
        FloatVector sumlx = FloatVector.zero(sp);
        FloatVector suml2 = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            int at = i * stride + s0;
            FloatVector xi = FloatVector.fromArray(sp, xt, at);
            FloatVector wi = xi.mul(xi);
            FloatVector wxi = wi.mul(xi);
            wi.intoArray(w, at);
            wxi.intoArray(wx, at);
            FloatVector l = level(iscale.mul(xi), false);
            sumlx = sumlx.add(wxi.mul(l));
            suml2 = suml2.add(wi.mul(l).mul(l));
        }
        // C's `suml2 ? sumlx/suml2 : 0`: a NaN counts as non-zero, as the NE compare does
        FloatVector sc = sumlx.div(suml2).blend(0.0f, suml2.compare(VectorOperators.NE, 0.0f).not());
        am.intoArray(amax, s0);
        sc.intoArray(bestScale, 0);
        sc.mul(sumlx).intoArray(best, 0);
        iscale.intoArray(bestIscale, 0);
    }

    /** Candidates {@code k .. k+BATCH}: the sums {@code Σ w·x·l} and {@code Σ w·l·l}, into {@link #sums}. */
    private void sums(float[] xt, int stride, int s0, int k, boolean clampBelow) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int lanes = VectorWidth.LANES;
        FloatVector iscale0 = FloatVector.fromArray(sp, iscales, k * lanes);
        FloatVector iscale1 = FloatVector.fromArray(sp, iscales, (k + 1) * lanes);
        FloatVector iscale2 = FloatVector.fromArray(sp, iscales, (k + 2) * lanes);
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
            FloatVector l0 = level(iscale0.mul(xi), clampBelow);
            FloatVector l1 = level(iscale1.mul(xi), clampBelow);
            FloatVector l2 = level(iscale2.mul(xi), clampBelow);
            lx0 = lx0.add(wxi.mul(l0));
            l20 = l20.add(wi.mul(l0).mul(l0));
            lx1 = lx1.add(wxi.mul(l1));
            l21 = l21.add(wi.mul(l1).mul(l1));
            lx2 = lx2.add(wxi.mul(l2));
            l22 = l22.add(wi.mul(l2).mul(l2));
        }
        lx0.intoArray(sums, 0);
        l20.intoArray(sums, lanes);
        lx1.intoArray(sums, 2 * lanes);
        l21.intoArray(sums, 3 * lanes);
        lx2.intoArray(sums, 4 * lanes);
        l22.intoArray(sums, 5 * lanes);
    }

    /** Step 8's test for the batch from candidate {@code k}, in order: kept if {@code suml2 > 0} and {@code sumlx² > best·suml2}. */
    private void pick(int k) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int lanes = VectorWidth.LANES;
        FloatVector b = FloatVector.fromArray(sp, best, 0);
        FloatVector sc = FloatVector.fromArray(sp, bestScale, 0);
        FloatVector is = FloatVector.fromArray(sp, bestIscale, 0);
        for (int j = 0; j < BATCH; j++) {
            FloatVector sumlx = FloatVector.fromArray(sp, sums, 2 * j * lanes);
            FloatVector suml2 = FloatVector.fromArray(sp, sums, (2 * j + 1) * lanes);
            VectorMask<Float> better = suml2.compare(VectorOperators.GT, 0.0f)
                    .and(sumlx.mul(sumlx).compare(VectorOperators.GT, b.mul(suml2)));
            FloatVector newScale = sumlx.div(suml2);
            sc = sc.blend(newScale, better);
            b = b.blend(newScale.mul(sumlx), better);
            is = is.blend(FloatVector.fromArray(sp, iscales, (k + j) * lanes), better);
        }
        b.intoArray(best, 0);
        sc.intoArray(bestScale, 0);
        is.intoArray(bestIscale, 0);
    }

    /** Step 9, with step 2's zero groups (scale 0). */
    private void finish(int s0) {
        VectorSpecies<Float> sp = VectorWidth.F;
        VectorMask<Float> zero = FloatVector.fromArray(sp, amax, s0).compare(VectorOperators.LT, GROUP_MAX_EPS);
        FloatVector.fromArray(sp, bestScale, 0).blend(0.0f, zero).intoArray(scale, s0);
        FloatVector.fromArray(sp, bestIscale, 0).intoArray(levelScale, s0);
    }
}
