package dev.gguflens.quant.simd;

import dev.gguflens.quant.ref.QuantMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code make_qkx2_quants} (reference/quantizers.md §2.4; {@code quant.ref.ScaleMinQuants}) on
 * vectors of sub-blocks, lane k on sub-block k. Every lane performs exactly the reference's float
 * operations in the reference's order, so each lane's results have the reference's bits; branches
 * become lane masks.
 *
 * <p>A run handles two vectors of sub-blocks side by side: each candidate waits on the previous one
 * (it may replace the min), and two independent chains of work keep the CPU's units busy.
 *
 * <p>The levels themselves are not kept: the winning candidate's levels are
 * {@code clamp(nearest_int(levelScale·(x − levelMin)), 0, nmax)}, which the caller recomputes once for
 * the few sub-blocks that need them (the C code's copy of {@code Laux} into {@code L} stores exactly
 * those values).
 *
 * <p>A candidate's levels take as few operations as exactness allows: they are computed in the magic domain
 * ({@link VectorWidth#magicLevels}), {@code clamp(nearest_int(v), 0, nmax)} as an exact float whenever
 * {@code |v| < 2^22}. Here no bound on the values makes that hold for every lane that counts (an earlier
 * winner's min can leave {@code max − min} tiny), so each candidate checks it: a lane of finite values
 * whose {@code |iscale|·max(|max − min|, |lowest − min|)} is below {@value #LEVEL_BOUND}, half of 2^22 for
 * the roundings of the check itself, is exact. The rare other lanes are redone in scalar code the
 * reference's way ({@link #redoLane}).
 *
 * <p>The search is split into methods that each hold a few dozen vector operations and exchange their
 * lane state through small arrays: in one large method C2 stops inlining the Vector API's calls part
 * way and boxes every vector, which is ten times slower.
 */
final class ScaleMinSearch {
    private static final int LANES = VectorWidth.LANES;
    /** 2^21: below it a candidate's levels in the magic domain are exact (see the class comment). */
    private static final float LEVEL_BOUND = 2097152.0f;
    /** {@link #fitOf}'s answer: bit 0, a lane has a positive determinant; bit 1, a lane's fitted min is positive. */
    private static final int FITTED = 1;
    private static final int MIN_CAPPED = 2;

    /** Per sub-block of the group: the scale (the function's return value). */
    final float[] scale;
    /** Per sub-block: {@code the_min} (the negated min, never negative). */
    final float[] theMin;
    /** Per sub-block: the iscale of the candidate whose levels won (0 for a constant sub-block: levels 0). */
    final float[] levelScale;
    /** Per sub-block: the min subtracted when those levels were computed. */
    final float[] levelMin;

    private final int n;
    private final int nmax;
    private final float rmin;
    private final float rdelta;
    private final int nstep;
    private final boolean useMad;
    /** The levels of the current candidate: element i of vector v at {@code (2i + v)·LANES}. */
    private final float[] laux;
    // lane state between the steps: vector 0 at [0, LANES), vector 1 at [LANES, 2·LANES)
    private final float[] min = new float[2 * LANES];
    private final float[] max = new float[2 * LANES];
    private final float[] sumW = new float[2 * LANES];
    private final float[] sumX = new float[2 * LANES];
    private final float[] minAfterStep2 = new float[2 * LANES];
    /** Per lane: the lowest value (before step 2), and 0 where every value is finite, else NaN. */
    private final float[] lowest = new float[2 * LANES];
    private final float[] nonFinite = new float[2 * LANES];
    private final float[] bestScale = new float[2 * LANES];
    private final float[] bestError = new float[2 * LANES];
    private final float[] bestIscale = new float[2 * LANES];
    private final float[] bestLevelMin = new float[2 * LANES];
    // the current candidate: its iscale, sums, determinant, and the fit whose error is measured
    private final float[] iscale = new float[2 * LANES];
    private final float[] sumL = new float[2 * LANES];
    private final float[] sumL2 = new float[2 * LANES];
    private final float[] sumXL = new float[2 * LANES];
    private final float[] det = new float[2 * LANES];
    private final float[] fitScale = new float[2 * LANES];
    private final float[] fitMin = new float[2 * LANES];
    private final float[] fitError = new float[2 * LANES];

    /** A search of sub-blocks of {@code n} values with ggml's parameters ({@code nmax, rmin, rdelta, nstep, use_mad}). */
    ScaleMinSearch(int subBlocks, int n, int nmax, float rmin, float rdelta, int nstep, boolean useMad) {
        this.n = n;
        this.nmax = nmax;
        this.rmin = rmin;
        this.rdelta = rdelta;
        this.nstep = nstep;
        this.useMad = useMad;
        this.laux = new float[2 * n * LANES];
        this.scale = new float[subBlocks];
        this.theMin = new float[subBlocks];
        this.levelScale = new float[subBlocks];
        this.levelMin = new float[subBlocks];
    }

    /**
     * Runs the search on sub-blocks {@code s0 .. s0+2·LANES} of {@code xt} (transposed as
     * {@link SubBlocks}, {@code stride} sub-blocks per element row) with weights {@code wt} laid out the
     * same way, and stores the results at index {@code s0 ..} of the result arrays.
     */
    void run(float[] xt, float[] wt, int stride, int s0) {
        rangeAndFirstFit(xt, wt, stride, s0, 0);
        rangeAndFirstFit(xt, wt, stride, s0 + LANES, 1);
        measureFit(xt, wt, stride, s0);
        System.arraycopy(fitError, 0, bestError, 0, 2 * LANES);
        // step 6: candidates is = 0..nstep
        for (int is = 0; is <= nstep; is++) {
            candidateLevels(xt, wt, stride, s0, rmin + rdelta * is + nmax);
            long redoA = lanesOutOfBound(0);
            long redoB = lanesOutOfBound(LANES);
            if ((redoA | redoB) != 0) {
                redoLanes(xt, wt, stride, s0, redoA, 0);
                redoLanes(xt, wt, stride, s0 + LANES, redoB, 1);
            }
            if (candidateFit()) {
                measureFit(xt, wt, stride, s0);
                keepBetter();
            }
        }
        finish(s0, 0);
        finish(s0 + LANES, 1);
    }

    /** Steps 1–4 for vector {@code v} (sub-blocks from {@code s}): range, weighted sums, the first fit spanning [min, max]. */
    private void rangeAndFirstFit(float[] xt, float[] wt, int stride, int s, int v) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int state = v * LANES;
        // step 1: sequential from element 0 in every lane
        FloatVector x0 = FloatVector.fromArray(sp, xt, s);
        FloatVector w0 = FloatVector.fromArray(sp, wt, s);
        FloatVector mn = x0;
        FloatVector mx = x0;
        FloatVector sw = w0;
        FloatVector sx = w0.mul(x0);
        FloatVector nonFin = x0.sub(x0); // x − x: 0, or NaN for a NaN or an infinity
        for (int i = 1; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * stride + s);
            FloatVector wi = FloatVector.fromArray(sp, wt, i * stride + s);
            mn = mn.blend(xi, xi.compare(VectorOperators.LT, mn));
            mx = mx.blend(xi, xi.compare(VectorOperators.GT, mx));
            sw = sw.add(wi);
            sx = sx.add(wi.mul(xi));
            nonFin = nonFin.add(xi.sub(xi));
        }
        mn.intoArray(lowest, state);
        nonFin.intoArray(nonFinite, state);
        // step 2: the min is never positive
        mn = mn.blend(0.0f, mn.compare(VectorOperators.GT, 0.0f));
        // step 4: the first fit (step 3's constant sub-blocks run along and are settled in finish)
        FloatVector is = FloatVector.broadcast(sp, (float) nmax).div(mx.sub(mn));
        FloatVector sc = FloatVector.broadcast(sp, 1.0f).div(is);
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xt, i * stride + s);
            VectorWidth.levelsAsFloats(is.mul(xi.sub(mn)), 0, nmax).intoArray(laux, (2 * i + v) * LANES);
        }
        sc.intoArray(fitScale, state);
        mn.intoArray(fitMin, state);
        mn.intoArray(min, state);
        mn.intoArray(minAfterStep2, state);
        mn.intoArray(bestLevelMin, state);
        mx.intoArray(max, state);
        sw.intoArray(sumW, state);
        sx.intoArray(sumX, state);
        sc.intoArray(bestScale, state);
        is.intoArray(bestIscale, state);
    }

    /**
     * Step 6.1–6.2 for both vectors: {@code iscale = numerator/(max − min)} with the current min (which an
     * earlier winner may have replaced), its levels (in the magic domain: exact in the lanes that
     * {@link #lanesOutOfBound} lets through), and the sums of {@code w·l}, {@code w·l·l}, {@code w·l·x}.
     */
    private void candidateLevels(float[] xt, float[] wt, int stride, int s0, float numerator) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int s1 = s0 + LANES;
        FloatVector mnA = FloatVector.fromArray(sp, min, 0);
        FloatVector mnB = FloatVector.fromArray(sp, min, LANES);
        FloatVector isA = FloatVector.broadcast(sp, numerator).div(FloatVector.fromArray(sp, max, 0).sub(mnA));
        FloatVector isB = FloatVector.broadcast(sp, numerator).div(FloatVector.fromArray(sp, max, LANES).sub(mnB));
        FloatVector slA = FloatVector.zero(sp);
        FloatVector sl2A = FloatVector.zero(sp);
        FloatVector sxlA = FloatVector.zero(sp);
        FloatVector slB = FloatVector.zero(sp);
        FloatVector sl2B = FloatVector.zero(sp);
        FloatVector sxlB = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xa = FloatVector.fromArray(sp, xt, i * stride + s0);
            FloatVector wa = FloatVector.fromArray(sp, wt, i * stride + s0);
            FloatVector xb = FloatVector.fromArray(sp, xt, i * stride + s1);
            FloatVector wb = FloatVector.fromArray(sp, wt, i * stride + s1);
            FloatVector la = VectorWidth.magicLevels(isA.mul(xa.sub(mnA)), 0, nmax, true);
            FloatVector lb = VectorWidth.magicLevels(isB.mul(xb.sub(mnB)), 0, nmax, true);
            la.intoArray(laux, 2 * i * LANES);
            lb.intoArray(laux, (2 * i + 1) * LANES);
            FloatVector wla = wa.mul(la);
            FloatVector wlb = wb.mul(lb);
            slA = slA.add(wla);
            slB = slB.add(wlb);
            sl2A = sl2A.add(wla.mul(la));
            sl2B = sl2B.add(wlb.mul(lb));
            sxlA = sxlA.add(wla.mul(xa));
            sxlB = sxlB.add(wlb.mul(xb));
        }
        isA.intoArray(iscale, 0);
        isB.intoArray(iscale, LANES);
        slA.intoArray(sumL, 0);
        slB.intoArray(sumL, LANES);
        sl2A.intoArray(sumL2, 0);
        sl2B.intoArray(sumL2, LANES);
        sxlA.intoArray(sumXL, 0);
        sxlB.intoArray(sumXL, LANES);
    }

    /**
     * The lanes of vector {@code state / LANES} whose candidate levels the magic domain may have got wrong, as
     * bits: a lane with a non-finite value, or with {@code |iscale|·max(|max − min|, |lowest − min|)} not
     * below the bound (NaN included). {@code |v|} is at most that times {@code (1 + 2^-24)^4}, for the roundings
     * of {@code x − min}, of the product and of the check's own operations. A constant sub-block
     * ({@code max == min} after step 2) never counts: {@link #finish} replaces its results.
     */
    private long lanesOutOfBound(int state) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector mn = FloatVector.fromArray(sp, min, state);
        FloatVector mx = FloatVector.fromArray(sp, max, state);
        FloatVector span = mx.sub(mn).abs().max(FloatVector.fromArray(sp, lowest, state).sub(mn).abs());
        FloatVector bound = FloatVector.fromArray(sp, iscale, state).abs().mul(span)
                .add(FloatVector.fromArray(sp, nonFinite, state));
        VectorMask<Float> exact = bound.compare(VectorOperators.LT, LEVEL_BOUND)
                .or(mx.compare(VectorOperators.EQ, FloatVector.fromArray(sp, minAfterStep2, state)));
        return exact.not().toLong();
    }

    /**
     * Redoes lanes {@code lanes} (bits) of vector {@code v} (sub-blocks from {@code s}) the reference's way, one
     * after the other: levels through nearest_int and the int clamp, and their sums in element order.
     */
    private void redoLanes(float[] xt, float[] wt, int stride, int s, long lanes, int v) {
        for (long left = lanes; left != 0; left &= left - 1) {
            redoLane(xt, wt, stride, s, v, Long.numberOfTrailingZeros(left));
        }
    }

    private void redoLane(float[] xt, float[] wt, int stride, int s, int v, int lane) {
        int state = v * LANES + lane;
        float is = iscale[state];
        float mn = min[state];
        float sl = 0;
        float sl2 = 0;
        float sxl = 0;
        for (int i = 0; i < n; i++) {
            float x = xt[i * stride + s + lane];
            float w = wt[i * stride + s + lane];
            float l = Math.min(nmax, Math.max(0, QuantMath.nearestInt(is * (x - mn))));
            laux[(2 * i + v) * LANES + lane] = l;
            float wl = w * l;
            sl += wl;
            sl2 += wl * l;
            sxl += wl * x;
        }
        sumL[state] = sl;
        sumL2[state] = sl2;
        sumXL[state] = sxl;
    }

    /**
     * Step 6.3 for both vectors: the determinant and, where it is positive, the least-squares scale and
     * min (min capped at 0); false when no lane has a positive determinant. The cap's division runs only for
     * candidates where some lane needs it: a division is among the slowest vector operations, and the search
     * was 4% faster without this one where no lane needs it (most candidates).
     */
    private boolean candidateFit() {
        int a = fitOf(0);
        int b = fitOf(LANES);
        if (((a | b) & MIN_CAPPED) != 0) {
            capScale(0);
            capScale(LANES);
        }
        return ((a | b) & FITTED) != 0;
    }

    private int fitOf(int state) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector sw = FloatVector.fromArray(sp, sumW, state);
        FloatVector sx = FloatVector.fromArray(sp, sumX, state);
        FloatVector sl = FloatVector.fromArray(sp, sumL, state);
        FloatVector sl2 = FloatVector.fromArray(sp, sumL2, state);
        FloatVector sxl = FloatVector.fromArray(sp, sumXL, state);
        FloatVector d = sw.mul(sl2).sub(sl.mul(sl));
        d.intoArray(det, state);
        sw.mul(sxl).sub(sx.mul(sl)).div(d).intoArray(fitScale, state);
        FloatVector thisMin = sl2.mul(sx).sub(sl.mul(sxl)).div(d);
        thisMin.intoArray(fitMin, state);
        // a capped min (rare) also changes the scale: capScale, only then, so that most candidates do without its division
        return FITTED * anyLane(d.compare(VectorOperators.GT, 0.0f)) | MIN_CAPPED * anyLane(thisMin.compare(VectorOperators.GT, 0.0f));
    }

    /**
     * 1 if any lane of {@code m} is set, else 0, without a branch: C2 compiled {@code anyTrue() ? .. : ..} as a branch
     * and, since a capped min never showed in the early profile, as a trap that recompiled the method when it did.
     */
    private static int anyLane(VectorMask<Float> m) {
        long bits = m.toLong();
        return (int) ((bits | -bits) >>> 63);
    }

    /** Where the fitted min is positive: min 0 and scale {@code sum_xl/sum_l2}. */
    private void capScale(int state) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector thisMin = FloatVector.fromArray(sp, fitMin, state);
        VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0.0f);
        thisMin.blend(0.0f, positive).intoArray(fitMin, state);
        FloatVector capped = FloatVector.fromArray(sp, sumXL, state).div(FloatVector.fromArray(sp, sumL2, state));
        FloatVector.fromArray(sp, fitScale, state).blend(capped, positive).intoArray(fitScale, state);
    }

    /** Step 6.3.4 for both vectors: where the determinant was positive and the error strictly lower, the candidate wins. */
    private void keepBetter() {
        keepBetterOf(0);
        keepBetterOf(LANES);
    }

    private void keepBetterOf(int state) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector err = FloatVector.fromArray(sp, fitError, state);
        FloatVector best = FloatVector.fromArray(sp, bestError, state);
        VectorMask<Float> better = FloatVector.fromArray(sp, det, state).compare(VectorOperators.GT, 0.0f)
                .and(err.compare(VectorOperators.LT, best));
        FloatVector mn = FloatVector.fromArray(sp, min, state);
        best.blend(err, better).intoArray(bestError, state);
        FloatVector.fromArray(sp, bestScale, state).blend(FloatVector.fromArray(sp, fitScale, state), better).intoArray(bestScale, state);
        FloatVector.fromArray(sp, bestIscale, state).blend(FloatVector.fromArray(sp, iscale, state), better).intoArray(bestIscale, state);
        FloatVector.fromArray(sp, bestLevelMin, state).blend(mn, better).intoArray(bestLevelMin, state);
        mn.blend(FloatVector.fromArray(sp, fitMin, state), better).intoArray(min, state);
    }

    /** Step 7 for vector {@code v}, and step 3's early return for constant sub-blocks (scale 0, levels 0, the_min = −min). */
    private void finish(int s, int v) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int state = v * LANES;
        FloatVector min2 = FloatVector.fromArray(sp, minAfterStep2, state);
        VectorMask<Float> constant = FloatVector.fromArray(sp, max, state).compare(VectorOperators.EQ, min2);
        negate(FloatVector.fromArray(sp, min, state).blend(min2, constant)).intoArray(theMin, s);
        FloatVector.fromArray(sp, bestScale, state).blend(0.0f, constant).intoArray(scale, s);
        FloatVector.fromArray(sp, bestIscale, state).blend(0.0f, constant).intoArray(levelScale, s);
        FloatVector.fromArray(sp, bestLevelMin, state).blend(0.0f, constant).intoArray(levelMin, s);
    }

    /**
     * {@code fitError = Σ w·err(fitScale·Laux + fitMin − x)} from element 0 for both vectors, with
     * {@code err} = |·| (use_mad) or ·². Vectors pass through arrays here: one chosen by a branch would be boxed.
     */
    private void measureFit(float[] xt, float[] wt, int stride, int s0) {
        if (useMad) {
            absError(xt, wt, stride, s0);
        } else {
            squaredError(xt, wt, stride, s0);
        }
    }

    private void absError(float[] xt, float[] wt, int stride, int s0) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int s1 = s0 + LANES;
        FloatVector scA = FloatVector.fromArray(sp, fitScale, 0);
        FloatVector mnA = FloatVector.fromArray(sp, fitMin, 0);
        FloatVector scB = FloatVector.fromArray(sp, fitScale, LANES);
        FloatVector mnB = FloatVector.fromArray(sp, fitMin, LANES);
        FloatVector sumA = FloatVector.zero(sp);
        FloatVector sumB = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xa = FloatVector.fromArray(sp, xt, i * stride + s0);
            FloatVector wa = FloatVector.fromArray(sp, wt, i * stride + s0);
            FloatVector la = FloatVector.fromArray(sp, laux, 2 * i * LANES);
            FloatVector xb = FloatVector.fromArray(sp, xt, i * stride + s1);
            FloatVector wb = FloatVector.fromArray(sp, wt, i * stride + s1);
            FloatVector lb = FloatVector.fromArray(sp, laux, (2 * i + 1) * LANES);
            sumA = sumA.add(wa.mul(scA.mul(la).add(mnA).sub(xa).abs()));
            sumB = sumB.add(wb.mul(scB.mul(lb).add(mnB).sub(xb).abs()));
        }
        sumA.intoArray(fitError, 0);
        sumB.intoArray(fitError, LANES);
    }

    private void squaredError(float[] xt, float[] wt, int stride, int s0) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int s1 = s0 + LANES;
        FloatVector scA = FloatVector.fromArray(sp, fitScale, 0);
        FloatVector mnA = FloatVector.fromArray(sp, fitMin, 0);
        FloatVector scB = FloatVector.fromArray(sp, fitScale, LANES);
        FloatVector mnB = FloatVector.fromArray(sp, fitMin, LANES);
        FloatVector sumA = FloatVector.zero(sp);
        FloatVector sumB = FloatVector.zero(sp);
        for (int i = 0; i < n; i++) {
            FloatVector xa = FloatVector.fromArray(sp, xt, i * stride + s0);
            FloatVector wa = FloatVector.fromArray(sp, wt, i * stride + s0);
            FloatVector la = FloatVector.fromArray(sp, laux, 2 * i * LANES);
            FloatVector xb = FloatVector.fromArray(sp, xt, i * stride + s1);
            FloatVector wb = FloatVector.fromArray(sp, wt, i * stride + s1);
            FloatVector lb = FloatVector.fromArray(sp, laux, (2 * i + 1) * LANES);
            FloatVector da = scA.mul(la).add(mnA).sub(xa);
            FloatVector db = scB.mul(lb).add(mnB).sub(xb);
            sumA = sumA.add(wa.mul(da.mul(da)));
            sumB = sumB.add(wb.mul(db.mul(db)));
        }
        sumA.intoArray(fitError, 0);
        sumB.intoArray(fitError, LANES);
    }

    /** C's unary minus: flips the sign bit only (so +0 becomes -0 and a NaN keeps its payload). */
    private static FloatVector negate(FloatVector v) {
        return v.reinterpretAsInts().lanewise(VectorOperators.XOR, 0x80000000).reinterpretAsFloats();
    }
}
