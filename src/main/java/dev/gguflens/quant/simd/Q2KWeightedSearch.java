package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q2_K's weighted sub-block search, ggml's {@code make_qkx3_quants(16, 3, x, w, L, &the_min, Laux, -0.9f,
 * 0.05f, 36, false)} (reference/quantizers-imatrix.md §2.3), on vectors of sub-blocks, lane k on
 * sub-block k: the results of {@link ScaleMinSearch} with these parameters, bit for bit, from fewer
 * candidates.
 *
 * <p>Most candidates change nothing. Between two accepted candidates the min is fixed, and a candidate whose
 * levels equal those of the last one evaluated has its sums, its fit and its error, which did not beat the
 * best then and cannot now. With a fixed min a value's level only rises with the candidate (its
 * {@code iscale = numerator/(max − min)} grows, {@code x − min} stays), and a level l < 3 cannot rise
 * before its argument {@code v = iscale·(x − min)} reaches {@code l + 0.5}, that is before the numerator
 * reaches {@code numerator·(l + 0.5)/v} give or take a few roundings. So after a rejected candidate each
 * lane jumps to the first candidate whose numerator may reach the smallest of these thresholds, with a
 * relative margin of 1e-5 below it (the roundings of v, of the thresholds and of the candidates' numerators
 * stay below 1e-6): no skipped candidate can change a level. After an accepted candidate the min has
 * changed and the next candidate is evaluated. Each wave evaluates one candidate per lane, each lane its
 * own; a vector is done when every lane is past the last candidate (about 20 waves instead of 37
 * candidates on Gaussian data, the slowest of 16 lanes setting the pace).
 *
 * <p>The argument needs the levels' arguments where nearest_int is exact and monotone: within ±2^21, which
 * every argument of a lane is when those of its smallest and largest value are (rounding is monotone) and
 * its values are finite. While every active lane is, the levels are computed in the magic domain as
 * {@link SymmetricSearch} does (the bits of {@code v + 1.5·2^23} clamped as ints), exact there; otherwise
 * the wave takes the reference's levels and no lane jumps. (No input found reaches such a lane with a
 * candidate that could win; the check is the proof's, and costs a few operations per wave.)
 *
 * <p>A run keeps two vectors of sub-blocks in flight (two independent chains of work keep the CPU's units
 * busy), each taking the group's next vector as soon as all its lanes are done, and is split into methods
 * that exchange lane state through small arrays, as {@link ScaleMinSearch} explains; vectors held in a
 * variable across a branch, or passed to a method C2 does not inline, would be boxed, hence the loops
 * written out and the state passed through the arrays.
 */
final class Q2KWeightedSearch {
    private static final int LANES = VectorWidth.LANES;
    private static final int N = 16;
    private static final int NMAX = 3;
    private static final float RMIN = -0.9f;
    private static final float RDELTA = 0.05f;
    private static final int NSTEP = 36;
    /** Where |iscale·(x − min)| stays below this, magic-domain levels equal nearest_int's and rise with iscale. */
    private static final float SAFE = 2097152.0f;
    /** The first candidate's numerator {@code rmin + nmax}, as a real number (the float one is within 1e-7). */
    private static final float FIRST_NUMERATOR = 2.1f;
    /** The jump's relative margin below the thresholds. */
    private static final float MARGIN = 1.0f - 1e-5f;
    /** {@link #advance}'s result bits. */
    private static final int ACTIVE = 1;
    private static final int IN_RANGE = 2;
    /** Per level: {@code 1/(l + 0.5)}, 0 at the top level (which cannot rise); lanes past 3 unused. */
    private static final float[] RISE = rise();

    private static float[] rise() {
        float[] r = new float[Math.max(LANES, 4)];
        for (int l = 0; l < NMAX; l++) {
            r[l] = 1.0f / (l + 0.5f);
        }
        return r;
    }

    /** Per sub-block of the group: the scale (the function's return value). */
    final float[] scale;
    /** Per sub-block: {@code the_min} (the negated min). */
    final float[] theMin;
    /** Per sub-block: the iscale of the candidate whose levels won (0 for a constant sub-block: levels 0). */
    final float[] levelScale;
    /** Per sub-block: the min subtracted when those levels were computed. */
    final float[] levelMin;

    // the two vectors' values and weights, element i of vector v at (2i + v)·LANES (no stride for the loads)
    private final float[] xs = new float[2 * N * LANES];
    private final float[] ws = new float[2 * N * LANES];
    /** The current candidates' levels, laid out the same way. */
    private final float[] laux = new float[2 * N * LANES];
    /** Their arguments {@code iscale·(x − min)} (magic-domain passes only). */
    private final float[] args = new float[2 * N * LANES];
    // lane state, vector 0 at [0, LANES), vector 1 at [LANES, 2·LANES)
    private final float[] min = new float[2 * LANES];
    private final float[] max = new float[2 * LANES];
    /** The smallest value (before step 2), NaN where some value is not finite. */
    private final float[] lowest = new float[2 * LANES];
    private final float[] minAfterStep2 = new float[2 * LANES];
    private final float[] sumW = new float[2 * LANES];
    private final float[] sumX = new float[2 * LANES];
    /** The candidate each lane evaluates next, as a float (past NSTEP: done). */
    private final float[] candidate = new float[2 * LANES];
    private final float[] best = new float[2 * LANES];
    private final float[] bestScale = new float[2 * LANES];
    private final float[] bestIscale = new float[2 * LANES];
    private final float[] bestLevelMin = new float[2 * LANES];
    // the current candidates: iscale, sums, the candidate after (if none wins), the fit and its error
    private final float[] iscale = new float[2 * LANES];
    private final float[] sumL = new float[2 * LANES];
    private final float[] sumL2 = new float[2 * LANES];
    private final float[] sumXL = new float[2 * LANES];
    /** Per lane, the largest {@code v/(l + 0.5)} of the current candidate's values below the top level. */
    private final float[] reach = new float[2 * LANES];
    private final float[] det = new float[2 * LANES];
    private final float[] fitScale = new float[2 * LANES];
    private final float[] fitMin = new float[2 * LANES];
    private final float[] fitError = new float[2 * LANES];

    Q2KWeightedSearch(int subBlocks) {
        this.scale = new float[subBlocks];
        this.theMin = new float[subBlocks];
        this.levelScale = new float[subBlocks];
        this.levelMin = new float[subBlocks];
    }

    /**
     * Runs the search on every sub-block of {@code xt} (transposed as {@link SubBlocks}, {@code count}
     * sub-blocks per element row, a multiple of LANES) with weights {@code wt} laid out the same way, and
     * stores the results at the sub-blocks' indexes of the result arrays. The two vectors of a run each take
     * the next vector of sub-blocks as soon as all their lanes are done.
     */
    void run(float[] xt, float[] wt, int count) {
        int[] at = new int[2];
        boolean[] inRange = new boolean[2];
        int next = 0;
        for (int v = 0; v < 2; v++) {
            at[v] = next < count ? next : -1;
            inRange[v] = start(xt, wt, count, v, next);
            next += LANES;
        }
        while (at[0] >= 0 || at[1] >= 0) {
            boolean jumps = inRange[0] & inRange[1];
            if (jumps) {
                magicLevels();
            } else {
                exactLevels();
            }
            fitOf(0);
            fitOf(LANES);
            if (jumps) {
                errorsAndReach();
            } else {
                errors();
            }
            for (int v = 0; v < 2; v++) {
                int state = advance(v * LANES, jumps);
                inRange[v] = (state & IN_RANGE) != 0;
                if ((state & ACTIVE) == 0 && at[v] >= 0) {
                    finish(at[v], v);
                    at[v] = next < count ? next : -1;
                    inRange[v] = start(xt, wt, count, v, next);
                    next += LANES;
                }
            }
        }
    }

    /**
     * Vector {@code v} of the run takes the sub-blocks {@code s .. s+LANES} (steps 1–4), or, past the last
     * one, no sub-blocks (its lanes done from the start).
     */
    private boolean start(float[] xt, float[] wt, int count, int v, int s) {
        VectorSpecies<Float> sp = VectorWidth.F;
        if (s >= count) {
            FloatVector.broadcast(sp, NSTEP + 1).intoArray(candidate, v * LANES);
            return true;
        }
        for (int i = 0; i < N; i++) {
            FloatVector.fromArray(sp, xt, i * count + s).intoArray(xs, (2 * i + v) * LANES);
            FloatVector.fromArray(sp, wt, i * count + s).intoArray(ws, (2 * i + v) * LANES);
        }
        firstFit(v);
        return prepare(v * LANES);
    }

    /** Steps 1–4 for vector {@code v}: range, weighted sums, the first fit spanning [min, max] and its error; constant lanes start done. */
    private void firstFit(int v) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int state = v * LANES;
        FloatVector x0 = FloatVector.fromArray(sp, xs, state);
        FloatVector w0 = FloatVector.fromArray(sp, ws, state);
        FloatVector mn = x0;
        FloatVector mx = x0;
        FloatVector sw = w0;
        FloatVector sx = w0.mul(x0);
        // the largest magnitude, NaN if any value is (a mask carried through the loop would be boxed)
        FloatVector magnitude = x0.abs();
        for (int i = 1; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xs, (2 * i + v) * LANES);
            FloatVector wi = FloatVector.fromArray(sp, ws, (2 * i + v) * LANES);
            mn = mn.blend(xi, xi.compare(VectorOperators.LT, mn));
            mx = mx.blend(xi, xi.compare(VectorOperators.GT, mx));
            sw = sw.add(wi);
            sx = sx.add(wi.mul(xi));
            magnitude = magnitude.max(xi.abs());
        }
        mn.blend(Float.NaN, magnitude.compare(VectorOperators.LT, Float.POSITIVE_INFINITY).not()).intoArray(lowest, state);
        // step 2: the min is never positive
        mn = mn.blend(0.0f, mn.compare(VectorOperators.GT, 0.0f));
        // step 3: a constant sub-block (max <= min; equal, or both tests false with NaN) is done at once
        VectorMask<Float> constant = mx.compare(VectorOperators.EQ, mn);
        FloatVector.zero(sp).blend(NSTEP + 1, constant).intoArray(candidate, state);
        // step 4: the first fit and its error Σ w·(diff·diff)
        FloatVector is = FloatVector.broadcast(sp, (float) NMAX).div(mx.sub(mn));
        FloatVector sc = FloatVector.broadcast(sp, 1.0f).div(is);
        FloatVector err = FloatVector.zero(sp);
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(sp, xs, (2 * i + v) * LANES);
            FloatVector wi = FloatVector.fromArray(sp, ws, (2 * i + v) * LANES);
            FloatVector l = VectorWidth.levelsAsFloats(is.mul(xi.sub(mn)), 0, NMAX);
            FloatVector diff = sc.mul(l).add(mn).sub(xi);
            err = err.add(wi.mul(diff.mul(diff)));
        }
        err.intoArray(best, state);
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
     * Step 5.1 for the candidates of one vector with the current min:
     * {@code iscale = (rmin + rdelta·is + nmax)/(max − min)}. Returns whether every active lane's levels
     * stay within ±{@link #SAFE} (then magic-domain levels are exact and lanes may jump).
     */
    private boolean prepare(int state) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector k = FloatVector.fromArray(sp, candidate, state);
        FloatVector mn = FloatVector.fromArray(sp, min, state);
        FloatVector mx = FloatVector.fromArray(sp, max, state);
        FloatVector is = numerator(k).div(mx.sub(mn));
        is.intoArray(iscale, state);
        // every level's argument lies between those of the smallest and the largest value (NaN: out)
        FloatVector lo = is.mul(FloatVector.fromArray(sp, lowest, state).sub(mn));
        FloatVector hi = is.mul(mx.sub(mn));
        VectorMask<Float> safe = lo.compare(VectorOperators.GE, -SAFE).and(hi.compare(VectorOperators.LE, SAFE));
        return safe.or(k.compare(VectorOperators.GT, (float) NSTEP)).allTrue();
    }

    /** Step 5.1's numerator {@code rmin + rdelta·is + nmax}, in the reference's order. */
    private static FloatVector numerator(FloatVector k) {
        return k.mul(RDELTA).add(RMIN).add((float) NMAX);
    }

    /** Step 5.2 with magic-domain levels (every active lane in range): the levels and their sums. */
    private void magicLevels() {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector mnA = FloatVector.fromArray(sp, min, 0);
        FloatVector mnB = FloatVector.fromArray(sp, min, LANES);
        FloatVector isA = FloatVector.fromArray(sp, iscale, 0);
        FloatVector isB = FloatVector.fromArray(sp, iscale, LANES);
        FloatVector slA = FloatVector.zero(sp);
        FloatVector sl2A = FloatVector.zero(sp);
        FloatVector sxlA = FloatVector.zero(sp);
        FloatVector slB = FloatVector.zero(sp);
        FloatVector sl2B = FloatVector.zero(sp);
        FloatVector sxlB = FloatVector.zero(sp);
        for (int i = 0; i < N; i++) {
            int a = 2 * i * LANES;
            int b = a + LANES;
            FloatVector xa = FloatVector.fromArray(sp, xs, a);
            FloatVector wa = FloatVector.fromArray(sp, ws, a);
            FloatVector xb = FloatVector.fromArray(sp, xs, b);
            FloatVector wb = FloatVector.fromArray(sp, ws, b);
            FloatVector va = isA.mul(xa.sub(mnA));
            FloatVector vb = isB.mul(xb.sub(mnB));
            // clamp(nearest_int(v), 0, nmax) as a float, in the magic domain (|v| <= SAFE)
            FloatVector la = VectorWidth.magicLevels(va, 0, NMAX, true);
            FloatVector lb = VectorWidth.magicLevels(vb, 0, NMAX, true);
            la.intoArray(laux, a);
            lb.intoArray(laux, b);
            va.intoArray(args, a);
            vb.intoArray(args, b);
            FloatVector wla = wa.mul(la);
            FloatVector wlb = wb.mul(lb);
            slA = slA.add(wla);
            slB = slB.add(wlb);
            sl2A = sl2A.add(wla.mul(la));
            sl2B = sl2B.add(wlb.mul(lb));
            sxlA = sxlA.add(wla.mul(xa));
            sxlB = sxlB.add(wlb.mul(xb));
        }
        slA.intoArray(sumL, 0);
        slB.intoArray(sumL, LANES);
        sl2A.intoArray(sumL2, 0);
        sl2B.intoArray(sumL2, LANES);
        sxlA.intoArray(sumXL, 0);
        sxlB.intoArray(sumXL, LANES);
    }

    /** Step 5.2 with the reference's levels (nearest_int, then the clamp); no lane jumps. */
    private void exactLevels() {
        VectorSpecies<Float> sp = VectorWidth.F;
        for (int v = 0; v < 2; v++) {
            int state = v * LANES;
            FloatVector mn = FloatVector.fromArray(sp, min, state);
            FloatVector is = FloatVector.fromArray(sp, iscale, state);
            FloatVector sl = FloatVector.zero(sp);
            FloatVector sl2 = FloatVector.zero(sp);
            FloatVector sxl = FloatVector.zero(sp);
            for (int i = 0; i < N; i++) {
                int at = (2 * i + v) * LANES;
                FloatVector xi = FloatVector.fromArray(sp, xs, at);
                FloatVector wi = FloatVector.fromArray(sp, ws, at);
                FloatVector l = VectorWidth.levelsAsFloats(is.mul(xi.sub(mn)), 0, NMAX);
                l.intoArray(laux, at);
                FloatVector wl = wi.mul(l);
                sl = sl.add(wl);
                sl2 = sl2.add(wl.mul(l));
                sxl = sxl.add(wl.mul(xi));
            }
            sl.intoArray(sumL, state);
            sl2.intoArray(sumL2, state);
            sxl.intoArray(sumXL, state);
        }
    }

    /** Step 5.3.1–5.3.2 for one vector: the determinant, and the least-squares scale and min (min capped at 0). */
    private void fitOf(int state) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector sw = FloatVector.fromArray(sp, sumW, state);
        FloatVector sx = FloatVector.fromArray(sp, sumX, state);
        FloatVector sl = FloatVector.fromArray(sp, sumL, state);
        FloatVector sl2 = FloatVector.fromArray(sp, sumL2, state);
        FloatVector sxl = FloatVector.fromArray(sp, sumXL, state);
        FloatVector d = sw.mul(sl2).sub(sl.mul(sl));
        d.intoArray(det, state);
        FloatVector thisScale = sw.mul(sxl).sub(sx.mul(sl)).div(d);
        FloatVector thisMin = sl2.mul(sx).sub(sl.mul(sxl)).div(d);
        VectorMask<Float> positive = thisMin.compare(VectorOperators.GT, 0.0f);
        // rare: a positive min becomes 0 and the scale is refitted (one division saved otherwise)
        if (positive.anyTrue()) {
            thisScale = thisScale.blend(sxl.div(sl2), positive);
            thisMin = thisMin.blend(0.0f, positive);
        }
        thisScale.intoArray(fitScale, state);
        thisMin.intoArray(fitMin, state);
    }

    /** Step 5.3.3 for both vectors: {@code Σ w·(diff·diff)} with {@code diff = fitScale·Laux + fitMin − x}, from element 0. */
    private void errors() {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector scA = FloatVector.fromArray(sp, fitScale, 0);
        FloatVector mnA = FloatVector.fromArray(sp, fitMin, 0);
        FloatVector scB = FloatVector.fromArray(sp, fitScale, LANES);
        FloatVector mnB = FloatVector.fromArray(sp, fitMin, LANES);
        FloatVector sumA = FloatVector.zero(sp);
        FloatVector sumB = FloatVector.zero(sp);
        for (int i = 0; i < N; i++) {
            int a = 2 * i * LANES;
            int b = a + LANES;
            FloatVector da = scA.mul(FloatVector.fromArray(sp, laux, a)).add(mnA).sub(FloatVector.fromArray(sp, xs, a));
            FloatVector db = scB.mul(FloatVector.fromArray(sp, laux, b)).add(mnB).sub(FloatVector.fromArray(sp, xs, b));
            sumA = sumA.add(FloatVector.fromArray(sp, ws, a).mul(da.mul(da)));
            sumB = sumB.add(FloatVector.fromArray(sp, ws, b).mul(db.mul(db)));
        }
        sumA.intoArray(fitError, 0);
        sumB.intoArray(fitError, LANES);
    }

    /**
     * {@link #errors}, and alongside each lane's reach: the largest {@code v/(l + 0.5)} over the values
     * below the top level (v the level's argument {@code iscale·(x − min)}, l the level), from which
     * {@link #advance} finds the jump.
     */
    private void errorsAndReach() {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector scA = FloatVector.fromArray(sp, fitScale, 0);
        FloatVector fmA = FloatVector.fromArray(sp, fitMin, 0);
        FloatVector scB = FloatVector.fromArray(sp, fitScale, LANES);
        FloatVector fmB = FloatVector.fromArray(sp, fitMin, LANES);
        FloatVector rise = FloatVector.fromArray(sp, RISE, 0);
        FloatVector sumA = FloatVector.zero(sp);
        FloatVector sumB = FloatVector.zero(sp);
        FloatVector reachA = FloatVector.zero(sp);
        FloatVector reachB = FloatVector.zero(sp);
        for (int i = 0; i < N; i++) {
            int a = 2 * i * LANES;
            int b = a + LANES;
            FloatVector xa = FloatVector.fromArray(sp, xs, a);
            FloatVector xb = FloatVector.fromArray(sp, xs, b);
            FloatVector la = FloatVector.fromArray(sp, laux, a);
            FloatVector lb = FloatVector.fromArray(sp, laux, b);
            FloatVector da = scA.mul(la).add(fmA).sub(xa);
            FloatVector db = scB.mul(lb).add(fmB).sub(xb);
            sumA = sumA.add(FloatVector.fromArray(sp, ws, a).mul(da.mul(da)));
            sumB = sumB.add(FloatVector.fromArray(sp, ws, b).mul(db.mul(db)));
            // 1/(l + 0.5) by level, 0 at the top level (which cannot rise)
            reachA = reachA.max(la.selectFrom(rise).mul(FloatVector.fromArray(sp, args, a)));
            reachB = reachB.max(lb.selectFrom(rise).mul(FloatVector.fromArray(sp, args, b)));
        }
        sumA.intoArray(fitError, 0);
        sumB.intoArray(fitError, LANES);
        reachA.intoArray(reach, 0);
        reachB.intoArray(reach, LANES);
    }

    /**
     * Step 5.3.4 for one vector, and step 5.1 for the next candidates: where the lane is active, the
     * determinant positive and the error strictly lower, the candidate wins (new best, new min, and the next
     * candidate follows); elsewhere the lane goes to the next candidate, or with {@code jumps} (every active
     * lane in range) to the first later candidate that may change a level: from the largest
     * {@code v/(l + 0.5)} of the lane, the first candidate whose numerator may reach {@code numerator/reach},
     * less the margin (reach 0: none, the lane is done). Returns {@link #ACTIVE} if a lane has candidates
     * left, plus {@link #IN_RANGE} if every active lane is in range for them.
     */
    private int advance(int state, boolean jumps) {
        VectorSpecies<Float> sp = VectorWidth.F;
        FloatVector k = FloatVector.fromArray(sp, candidate, state);
        FloatVector err = FloatVector.fromArray(sp, fitError, state);
        FloatVector b = FloatVector.fromArray(sp, best, state);
        FloatVector mn = FloatVector.fromArray(sp, min, state);
        VectorMask<Float> better = k.compare(VectorOperators.LE, (float) NSTEP)
                .and(FloatVector.fromArray(sp, det, state).compare(VectorOperators.GT, 0.0f))
                .and(err.compare(VectorOperators.LT, b));
        b.blend(err, better).intoArray(best, state);
        FloatVector.fromArray(sp, bestScale, state).blend(FloatVector.fromArray(sp, fitScale, state), better).intoArray(bestScale, state);
        FloatVector.fromArray(sp, bestIscale, state).blend(FloatVector.fromArray(sp, iscale, state), better).intoArray(bestIscale, state);
        FloatVector.fromArray(sp, bestLevelMin, state).blend(mn, better).intoArray(bestLevelMin, state);
        mn = mn.blend(FloatVector.fromArray(sp, fitMin, state), better);
        mn.intoArray(min, state);
        // (computed either way: a vector assigned in a branch would be boxed)
        FloatVector threshold = numerator(k).div(FloatVector.fromArray(sp, reach, state)).mul(MARGIN);
        // candidates below t = (threshold − 2.1)/0.05 cannot reach it: the target is t rounded up, or (fraction
        // below 0.001) down, in the magic domain clamped to 0..NSTEP+1 (+inf and the garbage of done lanes:
        // NSTEP+1)
        FloatVector t = threshold.sub(FIRST_NUMERATOR).mul(1.0f / RDELTA).add(0.499f);
        FloatVector target = VectorWidth.magicLevels(t, 0, NSTEP + 1, true);
        FloatVector step = k.add(1.0f);
        FloatVector next = step.max(target).blend(step, better.or(sp.maskAll(!jumps)));
        next.intoArray(candidate, state);
        if (!next.compare(VectorOperators.LE, (float) NSTEP).anyTrue()) {
            // done: nothing out of range
            return IN_RANGE;
        }
        return ACTIVE | (prepare(state) ? IN_RANGE : 0);
    }

    /** Step 6 for vector {@code v}, and step 3's early return for constant sub-blocks (scale 0, levels 0, the_min = −min). */
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

    /** C's unary minus: flips the sign bit only (so +0 becomes -0 and a NaN keeps its payload). */
    private static FloatVector negate(FloatVector v) {
        return v.reinterpretAsInts().lanewise(VectorOperators.XOR, 0x80000000).reinterpretAsFloats();
    }
}
