package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code make_qp_quants} (reference/quantizers-imatrix.md §2.4; {@code quant.ref.QpQuants}) on one
 * vector of groups at once, lane k on group k: the weighted K-quants' fit of a block's sub-block scales (or
 * mins), one block per lane. Every lane performs the reference's float operations in its order; branches
 * become lane masks. The refinement visits the elements in order with per-lane running sums; a lane whose
 * round changed nothing would stop in C, here it runs along while others still change, which changes
 * nothing either (its state, and so its decisions, are those of the round before).
 *
 * <p>Values and weights are transposed ({@link SubBlocks} with one sub-block per block): element i of
 * group k at {@code i·LANES + k}. Split into methods that exchange lane state through arrays, as
 * {@link ScaleMinSearch} explains.
 */
final class QpSearch {
    private static final int LANES = VectorWidth.LANES;
    private static final float GROUP_MAX_EPS = 1e-15f;
    private static final int ROUNDS = 5;
    /** Step 4's candidates: is = -4..4 without 0. */
    private static final int CANDIDATES = 8;

    /** Per group: the scale (the function's return value). */
    final float[] scale = new float[LANES];
    /** The levels as ggml's uint8 array holds them (0..255), transposed like the values. */
    final int[] levels;

    private final int n;
    private final int nmax;
    /** {@code w·x}, transposed. */
    private final float[] wx;
    // lane state between the steps
    private final float[] max = new float[LANES];
    private final float[] iscale = new float[LANES];
    private final float[] bestMse = new float[LANES];
    private final float[] sumlx = new float[LANES];
    private final float[] suml2 = new float[LANES];
    private final float[] candidateIscale = new float[CANDIDATES * LANES];
    private final float[] candidateMse = new float[CANDIDATES * LANES];

    /** Groups of {@code n} values fitted to levels {@code 0..nmax}. */
    QpSearch(int n, int nmax) {
        this.n = n;
        this.nmax = nmax;
        this.levels = new int[n * LANES];
        this.wx = new float[n * LANES];
    }

    /** Fits the groups of {@code xt} (transposed, {@code n} rows of LANES) with weights {@code wt} laid out the same way. */
    void run(float[] xt, float[] wt) {
        firstFit(xt, wt);
        candidates(xt, wt);
        finalLevels(xt, wt);
        for (int round = 0; round < ROUNDS; round++) {
            if (!refine(xt, wt)) {
                break;
            }
        }
        finish();
    }

    /** Steps 1 and 3: the max (C's MAX macro from 0), {@code iscale = nmax/max}, levels without a clamp, their error. */
    private void firstFit(float[] xt, float[] wt) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector mx = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * LANES);
            // (max > x) ? max : x, so a NaN on either side gives x
            mx = xi.blend(mx, mx.compare(VectorOperators.GT, xi));
        }
        FloatVector is = FloatVector.broadcast(sp, (float) nmax).div(mx);
        FloatVector sc = FloatVector.broadcast(sp, 1.0f).div(is);
        FloatVector best = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * LANES);
            FloatVector wi = FloatVector.fromArray(sp, wt, i * LANES);
            wi.mul(xi).intoArray(wx, i * LANES);
            // uint8 store: the low 8 bits of nearest_int, read back as 0..255
            IntVector l = VectorWidth.nearestInt(is.mul(xi)).and(0xFF);
            l.intoArray(levels, i * LANES);
            FloatVector diff = xi.sub(sc.mul(VectorWidth.toFloats(l)));
            best = best.add(wi.mul(diff).mul(diff));
        }
        mx.intoArray(max, 0);
        is.intoArray(iscale, 0);
        best.intoArray(bestMse, 0);
    }

    /**
     * Step 4: is = -4..4 without 0, in order; a candidate whose error is strictly lower takes over the iscale.
     * Each candidate's error is its own small method: in one method with the loop over candidates, C2 left
     * some vector operations to their Java fallbacks.
     */
    private void candidates(float[] xt, float[] wt) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector mx = FloatVector.fromArray(sp, max, 0);
        for (int k = 0; k < CANDIDATES; k++) {
            int is = k < CANDIDATES / 2 ? k - CANDIDATES / 2 : k - CANDIDATES / 2 + 1;
            FloatVector.broadcast(sp, 0.1f * is + nmax).div(mx).intoArray(candidateIscale, k * LANES);
        }
        for (int k = 0; k < CANDIDATES; k++) {
            candidateError(xt, wt, k);
        }
        FloatVector best = FloatVector.fromArray(sp, bestMse, 0);
        FloatVector chosen = FloatVector.fromArray(sp, iscale, 0);
        for (int k = 0; k < CANDIDATES; k++) {
            FloatVector mse = FloatVector.fromArray(sp, candidateMse, k * LANES);
            VectorMask<Float> better = mse.compare(VectorOperators.LT, best);
            best = best.blend(mse, better);
            chosen = chosen.blend(FloatVector.fromArray(sp, candidateIscale, k * LANES), better);
        }
        chosen.intoArray(iscale, 0);
    }

    /** Candidate {@code k}'s error {@code Σ w·diff·diff}, {@code diff = x − scale·MIN(nmax, nearest_int(iscale·x))}. */
    private void candidateError(float[] xt, float[] wt, int k) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector isc = FloatVector.fromArray(sp, candidateIscale, k * LANES);
        FloatVector sc = FloatVector.broadcast(sp, 1.0f).div(isc);
        FloatVector mse = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * LANES);
            FloatVector wi = FloatVector.fromArray(sp, wt, i * LANES);
            // no lower bound; the int converted to float as C does
            FloatVector l = VectorWidth.toFloats(VectorWidth.nearestInt(isc.mul(xi)).min(nmax));
            FloatVector diff = xi.sub(sc.mul(l));
            mse = mse.add(wi.mul(diff).mul(diff));
        }
        mse.intoArray(candidateMse, k * LANES);
    }

    /** Step 5: the levels of the chosen iscale (stored as uint8) and the sums of the int levels. */
    private void finalLevels(float[] xt, float[] wt) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector is = FloatVector.fromArray(sp, iscale, 0);
        FloatVector lx = FloatVector.zero(sp);
        FloatVector l2 = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * LANES);
            FloatVector wi = FloatVector.fromArray(sp, wt, i * LANES);
            IntVector l = VectorWidth.nearestInt(is.mul(xi)).min(nmax);
            l.and(0xFF).intoArray(levels, i * LANES);
            FloatVector lf = VectorWidth.toFloats(l);
            lx = lx.add(FloatVector.fromArray(sp, wx, i * LANES).mul(lf));
            l2 = l2.add(wi.mul(lf).mul(lf));
        }
        lx.intoArray(sumlx, 0);
        l2.intoArray(suml2, 0);
    }

    /** One round of step 6 over every element in order; false when no lane changed a level. */
    private boolean refine(float[] xt, float[] wt) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector lx = FloatVector.fromArray(sp, sumlx, 0);
        FloatVector l2 = FloatVector.fromArray(sp, suml2, 0);
        VectorMask<Float> changed = sp.maskAll(false);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * LANES);
            FloatVector wi = FloatVector.fromArray(sp, wt, i * LANES);
            FloatVector wxi = FloatVector.fromArray(sp, wx, i * LANES);
            IntVector li = IntVector.fromArray(VectorWidth.I, levels, i * LANES);
            FloatVector lf = VectorWidth.toFloats(li);
            FloatVector slx = lx.sub(wxi.mul(lf));
            FloatVector sl2 = l2.sub(wi.mul(lf).mul(lf));
            VectorMask<Float> positive = slx.compare(VectorOperators.GT, 0.0f).and(sl2.compare(VectorOperators.GT, 0.0f));
            IntVector newL = VectorWidth.nearestInt(xi.mul(sl2).div(slx)).min(nmax);
            VectorMask<Float> other = newL.compare(VectorOperators.NE, li).cast(sp).and(positive);
            FloatVector nf = VectorWidth.toFloats(newL);
            FloatVector slxNew = slx.add(wxi.mul(nf));
            FloatVector sl2New = sl2.add(wi.mul(nf).mul(nf));
            VectorMask<Float> accept = other.and(slxNew.mul(slxNew).mul(l2).compare(VectorOperators.GT, lx.mul(lx).mul(sl2New)));
            li.blend(newL.and(0xFF), accept.cast(VectorWidth.I)).intoArray(levels, i * LANES);
            lx = lx.blend(slxNew, accept);
            l2 = l2.blend(sl2New, accept);
            changed = changed.or(accept);
        }
        lx.intoArray(sumlx, 0);
        l2.intoArray(suml2, 0);
        return changed.anyTrue();
    }

    /** Step 7, and step 2's groups whose max is below {@code GROUP_MAX_EPS} (scale 0, levels 0). */
    private void finish() {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector l2 = FloatVector.fromArray(sp, suml2, 0);
        FloatVector sc = FloatVector.fromArray(sp, sumlx, 0).div(l2).blend(0.0f, l2.compare(VectorOperators.GT, 0.0f).not());
        VectorMask<Float> zero = FloatVector.fromArray(sp, max, 0).compare(VectorOperators.LT, GROUP_MAX_EPS);
        sc.blend(0.0f, zero).intoArray(scale, 0);
        VectorMask<Integer> zeroI = zero.cast(VectorWidth.I);
        for (int i = 0; i < n; i++) {
            IntVector.fromArray(VectorWidth.I, levels, i * LANES).blend(0, zeroI).intoArray(levels, i * LANES);
        }
    }
}
