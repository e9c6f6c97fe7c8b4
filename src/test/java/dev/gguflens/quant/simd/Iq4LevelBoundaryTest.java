package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link Iq4Search#index} counts the midpoints a value reaches instead of ggml's bisection and final
 * {@code x - lo < hi - x} compare. They must agree on every float: checked here on and around every
 * midpoint and level (thousands of ulps either side, where rounding of the differences could matter), at
 * signed zeros, subnormals, infinities, NaN, and on a million random values over the levels' range.
 * The expectation is the bisection of quantizers.md §2.6 written out here, not the code under test.
 */
class Iq4LevelBoundaryTest {
    private static final int[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** ggml's best_index_int8 (the binary's bisection), in float arithmetic as C evaluates it. */
    private static int bisection(float x) {
        if (x <= KVALUES[0]) {
            return 0;
        }
        if (x >= KVALUES[15]) {
            return 15;
        }
        int ml = 0;
        int mu = 15;
        while (mu - ml > 1) {
            int mav = (ml + mu) / 2;
            if (x < KVALUES[mav]) {
                mu = mav;
            } else {
                ml = mav;
            }
        }
        return x - KVALUES[mu - 1] < KVALUES[mu] - x ? mu - 1 : mu;
    }

    private static List<Float> values() {
        List<Float> v = new ArrayList<>();
        List<Float> anchors = new ArrayList<>();
        for (int k = 0; k < 16; k++) {
            anchors.add((float) KVALUES[k]);
            if (k > 0) {
                anchors.add((KVALUES[k - 1] + KVALUES[k]) / 2.0f);
            }
        }
        for (float a : anchors) {
            float up = a;
            float down = a;
            for (int i = 0; i < 5000; i++) {
                v.add(up);
                v.add(down);
                up = Math.nextUp(up);
                down = Math.nextDown(down);
            }
        }
        for (float s : new float[] {0.0f, -0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, Float.MAX_VALUE,
                -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffc00000)}) {
            v.add(s);
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int i = 0; i < 1_000_000; i++) {
            v.add((float) (r.nextDouble() * 260 - 130));
        }
        return v;
    }

    @Test
    void countingMidpointsIsTheBisectionForEveryValue() {
        List<Float> all = values();
        int lanes = VectorWidth.LANES;
        float[] in = new float[lanes];
        float[] idx = new float[lanes];
        float[] lvl = new float[lanes];
        int mismatches = 0;
        String first = null;
        for (int i = 0; i + lanes <= all.size(); i += lanes) {
            for (int k = 0; k < lanes; k++) {
                in[k] = all.get(i + k);
            }
            FloatVector x = FloatVector.fromArray(VectorWidth.F, in, 0);
            Iq4Search.index(x).intoArray(idx, 0);
            Iq4Search.level(x).intoArray(lvl, 0);
            for (int k = 0; k < lanes; k++) {
                int want = bisection(in[k]);
                if (idx[k] != want || lvl[k] != KVALUES[want]) {
                    mismatches++;
                    if (first == null) {
                        first = in[k] + " (bits " + Integer.toHexString(Float.floatToRawIntBits(in[k])) + "): index " + idx[k]
                                + ", level " + lvl[k] + ", expected " + want;
                    }
                }
            }
        }
        assertEquals(0, mismatches, first);
    }
}
