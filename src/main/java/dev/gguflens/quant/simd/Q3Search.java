package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code make_q3_quants} with {@code do_rmse = true} (reference/quantizers.md §2.3;
 * {@code quant.ref.Q3Quants}) on vectors of sub-blocks, lane k on sub-block k. The level-by-level
 * refinement keeps its running sums per lane and visits the elements in the reference's order, so every
 * lane takes the reference's decisions. A lane whose round changed nothing would stop in C; here it
 * runs along while other lanes still change, which changes nothing either (its state is the same, so
 * are its decisions).
 *
 * <p>Split into methods exchanging lane state through arrays, as {@link ScaleMinSearch} explains.
 */
final class Q3Search {
    /** Per sub-block of the group: the scale (the function's return value). */
    final float[] scale;
    /**
     * The levels, transposed like the values: signed during the search, then 0..2·nmax-1 (or 0 for a
     * zero group) after it.
     */
    final float[] levels;

    private final int n;
    private final int nmax;
    /** {@code x²} and {@code x²·x}, transposed like the values. */
    private final float[] w;
    private final float[] wx;
    // lane state between the steps, for the two vectors of sub-blocks a run handles
    private final float[] amax = new float[2 * VectorWidth.LANES];
    private final float[] sumlx = new float[2 * VectorWidth.LANES];
    private final float[] suml2 = new float[2 * VectorWidth.LANES];

    Q3Search(int subBlocks, int n, int nmax) {
        this.n = n;
        this.nmax = nmax;
        this.w = new float[n * subBlocks];
        this.wx = new float[n * subBlocks];
        this.levels = new float[n * subBlocks];
        this.scale = new float[subBlocks];
    }

    /**
     * Runs the search on sub-blocks {@code s0 .. s0+2·LANES} of {@code xt} (transposed as
     * {@link SubBlocks}): two vectors at once, because each element's step waits on the previous one's
     * (a division and the running sums), and two independent chains keep the CPU busy.
     */
    void run(float[] xt, int stride, int s0) {
        firstFit(xt, stride, s0, 0);
        firstFit(xt, stride, s0 + VectorWidth.LANES, VectorWidth.LANES);
        // step 3: up to 5 rounds, until a round changes no level
        for (int itry = 0; itry < 5; itry++) {
            if (!round(xt, stride, s0)) {
                break;
            }
        }
        finish(stride, s0, 0);
        finish(stride, s0 + VectorWidth.LANES, VectorWidth.LANES);
    }

    /** Steps 1–2: the first element of largest magnitude (with its sign) and the fit at {@code -nmax/max}. */
    private void firstFit(float[] xt, int stride, int s0, int state) {
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
        FloatVector slx = FloatVector.zero(sp);
        FloatVector sl2 = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            int at = i * stride + s0;
            FloatVector xi = FloatVector.fromArray(sp, xt, at);
            FloatVector l = VectorWidth.levelsAsFloats(iscale.mul(xi), -nmax, nmax - 1);
            FloatVector wi = xi.mul(xi);
            FloatVector wxi = wi.mul(xi);
            l.intoArray(levels, at);
            wi.intoArray(w, at);
            wxi.intoArray(wx, at);
            slx = slx.add(wxi.mul(l));
            sl2 = sl2.add(wi.mul(l).mul(l));
        }
        am.intoArray(amax, state);
        slx.intoArray(sumlx, state);
        sl2.intoArray(suml2, state);
    }

    /** One round of step 3 over the elements in order, for both vectors; true when some lane moved a level. */
    private boolean round(float[] xt, int stride, int s0) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int s1 = s0 + VectorWidth.LANES;
        FloatVector sumLXa = FloatVector.fromArray(sp, sumlx, 0);
        FloatVector sumL2a = FloatVector.fromArray(sp, suml2, 0);
        FloatVector sumLXb = FloatVector.fromArray(sp, sumlx, VectorWidth.LANES);
        FloatVector sumL2b = FloatVector.fromArray(sp, suml2, VectorWidth.LANES);
        VectorMask<Float> changed = sp.maskAll(false);
        for (int i = 0; i < n; i++) {
            int a = i * stride + s0;
            int b = i * stride + s1;
            // lane by lane: slx = sumlx - w·x·L; sl2 = suml2 - w·L·L; new_l = clamp(NI(x·sl2/slx));
            // accept when slx > 0, new_l != L, and the sums with new_l raise sumlx²/suml2
            FloatVector xa = FloatVector.fromArray(sp, xt, a);
            FloatVector wa = FloatVector.fromArray(sp, w, a);
            FloatVector wxa = FloatVector.fromArray(sp, wx, a);
            FloatVector la = FloatVector.fromArray(sp, levels, a);
            FloatVector xb = FloatVector.fromArray(sp, xt, b);
            FloatVector wb = FloatVector.fromArray(sp, w, b);
            FloatVector wxb = FloatVector.fromArray(sp, wx, b);
            FloatVector lb = FloatVector.fromArray(sp, levels, b);
            FloatVector slxa = sumLXa.sub(wxa.mul(la));
            FloatVector slxb = sumLXb.sub(wxb.mul(lb));
            FloatVector sl2a = sumL2a.sub(wa.mul(la).mul(la));
            FloatVector sl2b = sumL2b.sub(wb.mul(lb).mul(lb));
            FloatVector na = VectorWidth.levelsAsFloats(xa.mul(sl2a).div(slxa), -nmax, nmax - 1);
            FloatVector nb = VectorWidth.levelsAsFloats(xb.mul(sl2b).div(slxb), -nmax, nmax - 1);
            VectorMask<Float> da = slxa.compare(VectorOperators.GT, 0.0f).and(na.compare(VectorOperators.NE, la));
            VectorMask<Float> db = slxb.compare(VectorOperators.GT, 0.0f).and(nb.compare(VectorOperators.NE, lb));
            slxa = slxa.add(wxa.mul(na));
            slxb = slxb.add(wxb.mul(nb));
            sl2a = sl2a.add(wa.mul(na).mul(na));
            sl2b = sl2b.add(wb.mul(nb).mul(nb));
            VectorMask<Float> acceptA = da.and(sl2a.compare(VectorOperators.GT, 0.0f))
                    .and(slxa.mul(slxa).mul(sumL2a).compare(VectorOperators.GT, sumLXa.mul(sumLXa).mul(sl2a)));
            VectorMask<Float> acceptB = db.and(sl2b.compare(VectorOperators.GT, 0.0f))
                    .and(slxb.mul(slxb).mul(sumL2b).compare(VectorOperators.GT, sumLXb.mul(sumLXb).mul(sl2b)));
            la.blend(na, acceptA).intoArray(levels, a);
            lb.blend(nb, acceptB).intoArray(levels, b);
            sumLXa = sumLXa.blend(slxa, acceptA);
            sumLXb = sumLXb.blend(slxb, acceptB);
            sumL2a = sumL2a.blend(sl2a, acceptA);
            sumL2b = sumL2b.blend(sl2b, acceptB);
            changed = changed.or(acceptA).or(acceptB);
        }
        sumLXa.intoArray(sumlx, 0);
        sumL2a.intoArray(suml2, 0);
        sumLXb.intoArray(sumlx, VectorWidth.LANES);
        sumL2b.intoArray(suml2, VectorWidth.LANES);
        return changed.anyTrue();
    }

    /** Step 4: levels offset by nmax (zero groups keep 0), scale {@code suml2 > 0 ? sumlx/suml2 : 0}. */
    private void finish(int stride, int s0, int state) {
        VectorSpecies<Float> sp = VectorWidth.F;
        VectorMask<Float> zero = FloatVector.fromArray(sp, amax, state).compare(VectorOperators.LT, SymmetricSearch.GROUP_MAX_EPS);
        FloatVector slx = FloatVector.fromArray(sp, sumlx, state);
        FloatVector sl2 = FloatVector.fromArray(sp, suml2, state);
        slx.div(sl2).blend(0.0f, sl2.compare(VectorOperators.GT, 0.0f).not()).blend(0.0f, zero).intoArray(scale, s0);
        for (int i = 0; i < n; i++) {
            int at = i * stride + s0;
            FloatVector.fromArray(sp, levels, at).add(nmax).blend(0.0f, zero).intoArray(levels, at);
        }
    }
}
