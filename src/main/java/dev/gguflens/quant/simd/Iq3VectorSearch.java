package dev.gguflens.quant.simd;

import dev.gguflens.quant.ref.Iq3Lists;
import dev.gguflens.quant.ref.Iq3NeighbourSearch;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code iq3_find_best_neighbour}'s list scan with the Vector API, one list entry per lane of {@link VectorWidth#F}:
 * each lane computes its entry's error {@code 0 + e_0 + e_1 + e_2 + e_3}, {@code e_i = (w_i*diff)*diff},
 * {@code diff = scale*(2l_i+1) - x_i}, with the scalar scan's operations in its order, from the entries'
 * positions {@code 2l_i+1} laid out per coordinate. The first strict minimum is found per step (the smallest
 * error below {@code Float.MAX_VALUE}, then the first lane holding it; NaN lanes never qualify, as in ggml's
 * {@code <}) and across steps with a strict {@code <}.
 *
 * <p>The scan uses the codecs' one float width (at most 512 bits: {@link Iq3Lists#PADDING} covers 16 lanes),
 * although most lists have fewer than 16 entries and a 512-bit step mostly computes padding. It ran at 256 bits
 * there until a second float shape proved to make the Vector API's shared type profiles depend on timing: with
 * the lowered compile thresholds of {@code src/main/jvm/codec.options}, two runs in seven of
 * {@code simulate --all --error} then had a codec step stuck on the API's slow Java fallbacks (see
 * {@link VectorErrorKernel}). IQ3_S took the same time at either width, within the noise of the measurement.
 * Every width gives the same bytes.
 */
final class Iq3VectorSearch implements Iq3NeighbourSearch {
    private static final VectorSpecies<Float> SPECIES = VectorWidth.LANES <= Iq3Lists.PADDING ? VectorWidth.F : FloatVector.SPECIES_512;
    /** Entries per step. */
    private static final int STEP = SPECIES.length();

    /** {@code p_i[slot] = 2l_i + 1} of the entry at each slot, padded as {@link Iq3Lists} pads the levels. */
    private final float[] p0, p1, p2, p3;

    /** A scan of lists whose entries' positions are {@code positions[i][slot]} ({@link #positionsOf}). */
    Iq3VectorSearch(float[][] positions) {
        this.p0 = positions[0];
        this.p1 = positions[1];
        this.p2 = positions[2];
        this.p3 = positions[3];
    }

    /** The positions {@code 2l+1} of {@code lists}' entries by coordinate (made once per grid, shared by its searches). */
    static float[][] positionsOf(Iq3Lists lists) {
        float[][] p = new float[4][];
        for (int i = 0; i < 4; i++) {
            int[] l = lists.levels(i);
            p[i] = new float[l.length];
            for (int s = 0; s < l.length; s++) {
                p[i][s] = 2 * l[s] + 1;
            }
        }
        return p;
    }

    @Override
    public int best(float[] x, int xOff, float[] w, int wOff, float scale, int first, int n) {
        float x0 = x[xOff], x1 = x[xOff + 1], x2 = x[xOff + 2], x3 = x[xOff + 3];
        float w0 = w[wOff], w1 = w[wOff + 1], w2 = w[wOff + 2], w3 = w[wOff + 3];
        float best = Float.MAX_VALUE;
        int bestT = -1;
        for (int c = 0; c < n; c += STEP) {
            int s = first + c;
            // scale*pos - x, then (w*diff)*diff (diff*w is the same product), summed from 0 in coordinate order
            FloatVector e0 = FloatVector.fromArray(SPECIES, p0, s).mul(scale).sub(x0);
            FloatVector e1 = FloatVector.fromArray(SPECIES, p1, s).mul(scale).sub(x1);
            FloatVector e2 = FloatVector.fromArray(SPECIES, p2, s).mul(scale).sub(x2);
            FloatVector e3 = FloatVector.fromArray(SPECIES, p3, s).mul(scale).sub(x3);
            FloatVector d2 = FloatVector.zero(SPECIES).add(e0.mul(w0).mul(e0)).add(e1.mul(w1).mul(e1))
                    .add(e2.mul(w2).mul(e2)).add(e3.mul(w3).mul(e3));
            VectorMask<Float> ok = d2.lt(Float.MAX_VALUE).and(SPECIES.indexInRange(c, n));
            if (ok.anyTrue()) {
                float min = d2.blend(Float.POSITIVE_INFINITY, ok.not()).reduceLanes(VectorOperators.MIN);
                if (min < best) {
                    best = min;
                    bestT = c + d2.eq(min).and(ok).firstTrue();
                }
            }
        }
        return bestT;
    }
}
