package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * What the five 32-value legacy quantizers (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) share: the block statistics
 * their reference loops compute element by element, and C's float-to-int cast, per lane.
 *
 * <p>A block is one vector's worth of work or a few (32 floats are 2, 4 or 8 vectors). The statistics
 * use vector MAX/MIN reductions only where they provably equal the reference's sequential compares:
 * over values with no NaN and no signed-zero tie. Every other block (a NaN, a zero result) takes the
 * reference's own scalar loop, which is rare in real tensors and costs one block.
 */
final class LegacyBlock {
    static final int QK = 32;
    private static final int VECTORS = QK / VectorWidth.LANES;
    /** 2^31 as a float: the first value C's (x86) cast cannot represent. */
    private static final float TWO_31 = 2147483648.0f;

    /** 0, 1, ..., 31: the qh bit of each lane. */
    private static final int[] BIT_INDEX = java.util.stream.IntStream.range(0, QK).toArray();

    private LegacyBlock() {
    }

    /**
     * Q8_0's {@code amax}: the fold {@code amax = MAX(amax, |v|)} from 0, where C's {@code MAX(a, b)} is
     * {@code a > b ? a : b}. Without NaN that is the plain maximum of the absolute values (all +0 or
     * more, so no signed-zero question); a NaN makes the fold restart after it, left to the scalar loop.
     */
    static float absMax(float[] x, int off) {
        FloatVector m = VectorWidth.floats(x, off).abs();
        for (int k = 1; k < VECTORS; k++) {
            m = m.max(VectorWidth.floats(x, off + k * VectorWidth.LANES).abs());
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        if (r == r) {
            return r;
        }
        // a NaN reached the vector max (which propagates it): the reference's fold, verbatim
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) {
            float av = Math.abs(x[off + j]);
            amax = amax > av ? amax : av;
        }
        return amax;
    }

    /**
     * Q4_0/Q5_0's {@code max}: the first value (in block order) of the largest magnitude, keeping its
     * sign, from {@code if (amax < |v|) {amax = |v|; max = v;}} starting at 0 (NaN never wins; an
     * all-zero block gives +0). The magnitude maximum by vector when no NaN is present, then the first
     * lane that reaches it.
     */
    static float signedAbsMax(float[] x, int off) {
        FloatVector m = VectorWidth.floats(x, off).abs();
        for (int k = 1; k < VECTORS; k++) {
            m = m.max(VectorWidth.floats(x, off + k * VectorWidth.LANES).abs());
        }
        float amax = m.reduceLanes(VectorOperators.MAX);
        if (amax != amax) {
            return signedAbsMaxScalar(x, off);
        }
        if (amax == 0.0f) {
            return 0.0f; // no element compared greater than the initial 0: max keeps its initial +0
        }
        for (int k = 0; k < VECTORS; k++) {
            VectorMask<Float> hit = VectorWidth.floats(x, off + k * VectorWidth.LANES).abs().eq(amax);
            if (hit.anyTrue()) {
                return x[off + k * VectorWidth.LANES + hit.firstTrue()];
            }
        }
        throw new AssertionError("the maximum magnitude is in the block");
    }

    private static float signedAbsMaxScalar(float[] x, int off) {
        float amax = 0.0f;
        float max = 0.0f;
        for (int j = 0; j < QK; j++) {
            float v = x[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /**
     * Q4_1/Q5_1's {@code min} and {@code max} (strict compares from ±FLT_MAX, so NaN is skipped and the
     * first zero's sign wins), written to {@code out[0]} and {@code out[1]}. The vector MIN/MAX agree
     * when neither result is NaN (no NaN in the block), zero (a possible ±0 tie, where the vector
     * takes -0 and the reference the first) or infinite (an all-+Inf block leaves the reference's min at
     * FLT_MAX); otherwise the scalar loop.
     */
    static void minMax(float[] x, int off, float[] out) {
        FloatVector v0 = VectorWidth.floats(x, off);
        FloatVector lo = v0;
        FloatVector hi = v0;
        for (int k = 1; k < VECTORS; k++) {
            FloatVector v = VectorWidth.floats(x, off + k * VectorWidth.LANES);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        float min = lo.reduceLanes(VectorOperators.MIN);
        float max = hi.reduceLanes(VectorOperators.MAX);
        // NaN and infinities fail the < compare
        if (Math.abs(min) < Float.POSITIVE_INFINITY && min != 0.0f && Math.abs(max) < Float.POSITIVE_INFINITY
                && max != 0.0f) {
            out[0] = min;
            out[1] = max;
            return;
        }
        min = Float.MAX_VALUE;
        max = -Float.MAX_VALUE;
        for (int j = 0; j < QK; j++) {
            float v = x[off + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        out[0] = min;
        out[1] = max;
    }

    /**
     * C's float-to-int32 cast on x86-64 ({@code cvttss2si}, {@code QuantMath.cvtt}) per lane: truncation,
     * and 0x80000000 for NaN and values outside the int range, where Java's cast would saturate or give 0.
     */
    static IntVector cvtt(FloatVector v) {
        IntVector t = (IntVector) v.convert(VectorOperators.F2I, 0);
        VectorMask<Float> inRange = v.compare(VectorOperators.LT, TWO_31).and(v.compare(VectorOperators.GE, -TWO_31));
        return t.blend(Integer.MIN_VALUE, inRange.not().cast(VectorWidth.I));
    }

    /** {@code (int8_t) v}: the low byte of each lane, sign-extended. */
    static IntVector lowByteSigned(IntVector v) {
        return v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24);
    }

    /** Bit 4 of each lane's code as a bit mask, lane k at bit k (a Q5 type's {@code qh} bits for these lanes). */
    static long fifthBits(IntVector code) {
        return code.and(0x10).compare(VectorOperators.NE, 0).toLong();
    }

    /** Bits {@code first ..} of {@code qh}, one per lane, as 0 or 0x10 (the fifth bit of each value). */
    static IntVector fifthBitsOf(int qh, int first) {
        IntVector shifts = IntVector.fromArray(VectorWidth.I, BIT_INDEX, first);
        return IntVector.broadcast(VectorWidth.I, qh).lanewise(VectorOperators.LSHR, shifts).and(1)
                .lanewise(VectorOperators.LSHL, 4);
    }
}
