package dev.gguflens.quant.simd;

import dev.gguflens.quant.ref.Iq4NlTable;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code quantize_row_iq4_nl_impl}'s per-sub-block search (ntry = 7, no importance matrix) for LANES
 * sub-blocks of 32 at once, one per lane, on values transposed by {@link SubBlocks}: each lane runs the
 * reference's sequential loops unchanged (quantizers.md §3 "IQ4_NL"), so its sums round as the reference's.
 *
 * <p>{@code best_index_int8(16, kvalues_iq4nl, v)} becomes a count of the midpoints between neighbouring
 * levels that {@code v} reaches. That is the reference's answer for every non-NaN {@code v}: its final
 * {@code v - lo < hi - v} compares two differences that are exact floats wherever they are close to
 * each other (near a midpoint both are about (hi - lo)/2 and no larger than |v|'s own binade, since
 * the midpoints nearest zero are -4.5 and 7), and rounding elsewhere keeps their order; an exact
 * midpoint goes up, as {@code >=} does here. A NaN falls through the reference's compares to 15.
 */
final class Iq4Search {
    static final int BLOCK = 32;
    private static final int NTRY = 7;
    private static final float GROUP_MAX_EPS = 1e-15f;
    private static final int[] VALUES = Iq4NlTable.values();
    private static final float[] MIDPOINTS = new float[15];
    private static final float[] STEPS = new float[15];

    static {
        for (int k = 1; k < 16; k++) {
            MIDPOINTS[k - 1] = (VALUES[k - 1] + VALUES[k]) / 2.0f; // exact halves
            STEPS[k - 1] = VALUES[k] - VALUES[k - 1];
        }
    }

    private Iq4Search() {
    }

    /** {@code kvalues_iq4nl[best_index_int8(v)]} per lane, as an exact float. */
    static FloatVector level(FloatVector v) {
        FloatVector q = FloatVector.broadcast(VectorWidth.F, VALUES[0]);
        for (int k = 0; k < 15; k++) {
            q = q.add(STEPS[k], v.compare(VectorOperators.GE, MIDPOINTS[k]));
        }
        return q.blend(VALUES[15], v.compare(VectorOperators.NE, v));
    }

    /** {@code best_index_int8(v)} per lane, as an exact float 0..15. */
    static FloatVector index(FloatVector v) {
        FloatVector i = FloatVector.zero(VectorWidth.F);
        for (int k = 0; k < 15; k++) {
            i = i.add(1.0f, v.compare(VectorOperators.GE, MIDPOINTS[k]));
        }
        return i.blend(15.0f, v.compare(VectorOperators.NE, v));
    }

    /**
     * The scale of every sub-block of {@code g} (lanes {@code s0 .. s0+LANES}): the ntry search with
     * weights x², or 0 for a sub-block whose largest magnitude is below {@code GROUP_MAX_EPS}.
     */
    static void scales(SubBlocks g, int s0, float[] out) {
        float[] x = g.x;
        int stride = g.count;
        // first max of |x| with its sign, element by element
        FloatVector amax = FloatVector.zero(VectorWidth.F);
        FloatVector max = amax;
        for (int j = 0; j < BLOCK; j++) {
            FloatVector v = VectorWidth.floats(x, j * stride + s0);
            FloatVector a = v.abs();
            VectorMask<Float> above = a.compare(VectorOperators.GT, amax);
            amax = amax.blend(a, above);
            max = max.blend(v, above);
        }
        VectorMask<Float> zero = amax.compare(VectorOperators.LT, GROUP_MAX_EPS);
        // d = -max / values[0], then the fit at that scale
        FloatVector d = max.neg().div((float) VALUES[0]);
        FloatVector id = FloatVector.broadcast(VectorWidth.F, 1.0f).div(d);
        FloatVector sumqx = FloatVector.zero(VectorWidth.F);
        FloatVector sumq2 = sumqx;
        for (int j = 0; j < BLOCK; j++) {
            FloatVector v = VectorWidth.floats(x, j * stride + s0);
            FloatVector q = level(id.mul(v));
            FloatVector wq = v.mul(v).mul(q);
            sumqx = sumqx.add(wq.mul(v));
            sumq2 = sumq2.add(wq.mul(q));
        }
        VectorMask<Float> positive = sumq2.compare(VectorOperators.GT, 0.0f);
        d = sumqx.div(sumq2).blend(0.0f, positive.not());
        FloatVector best = d.mul(sumqx);
        for (int itry = -NTRY; itry <= NTRY; itry++) {
            // (itry + values[0]) is an int sum, converted once, then divided by max
            FloatVector tid = FloatVector.broadcast(VectorWidth.F, (float) (itry + VALUES[0])).div(max);
            sumqx = FloatVector.zero(VectorWidth.F);
            sumq2 = sumqx;
            for (int j = 0; j < BLOCK; j++) {
                FloatVector v = VectorWidth.floats(x, j * stride + s0);
                FloatVector q = level(tid.mul(v));
                FloatVector wq = v.mul(v).mul(q);
                sumqx = sumqx.add(wq.mul(v));
                sumq2 = sumq2.add(wq.mul(q));
            }
            VectorMask<Float> better = sumq2.compare(VectorOperators.GT, 0.0f)
                    .and(sumqx.mul(sumqx).compare(VectorOperators.GT, best.mul(sumq2)));
            d = d.blend(sumqx.div(sumq2), better);
            best = best.blend(d.mul(sumqx), better);
        }
        d.blend(0.0f, zero).intoArray(out, s0);
    }

    /**
     * The level indices of lanes {@code s0 ..} at inverse scales {@code ids[s0 ..]}, packed as the block
     * stores them: byte j of a sub-block holds element j in its low nibble and element j+16 in its high one.
     * Byte j of lane s goes to {@code packed[j * LANES + s - s0]}.
     */
    static void pack(SubBlocks g, int s0, float[] ids, int[] packed) {
        float[] x = g.x;
        int stride = g.count;
        FloatVector id = VectorWidth.floats(ids, s0);
        for (int j = 0; j < BLOCK / 2; j++) {
            FloatVector lo = index(id.mul(VectorWidth.floats(x, j * stride + s0)));
            FloatVector hi = index(id.mul(VectorWidth.floats(x, (j + BLOCK / 2) * stride + s0)));
            toInts(lo).or(toInts(hi).lanewise(VectorOperators.LSHL, 4))
                    .intoArray(packed, j * VectorWidth.LANES);
        }
    }

    /** Exact small non-negative floats as ints. */
    private static IntVector toInts(FloatVector v) {
        return (IntVector) v.convert(VectorOperators.F2I, 0);
    }

    /**
     * A thread's working state for one block shape, reused call after call: a sample measures units of about 256
     * values, and allocating this state for each of them made it a tenth of a sampled multi-type run's garbage (see
     * {@link KScaleMinVectorBlock} for why the state is per thread).
     */
    static final class Scratch {
        final SubBlocks group;
        final float[] scales;
        final float[] ids;
        final int[] packed = new int[BLOCK / 2 * VectorWidth.LANES];

        /** For blocks of {@code perBlock} sub-blocks of {@link #BLOCK} values. */
        Scratch(int perBlock) {
            group = new SubBlocks(BLOCK, perBlock, 1);
            scales = new float[group.count];
            ids = new float[group.count];
        }

        /** The state at the start of a call: the inverse scales of a group's padding lanes are 0, as in a fresh one. */
        Scratch reset() {
            Arrays.fill(ids, 0.0f);
            return this;
        }
    }
}
