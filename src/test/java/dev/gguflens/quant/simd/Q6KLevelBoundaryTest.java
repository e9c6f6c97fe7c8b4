package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Q6_K's scale search ({@link SymmetricSearch}) computes its candidates' levels in the "magic" domain
 * and leaves out the clamps it proves unnecessary (below -32 for candidates up to -32.4/max, none needed
 * above for an in-range value). These inputs put {@code iscale·x} on and next to the rounding and
 * clamping edges of every candidate: the half-integers around ±31.5, ±32.5 and a few inside, for
 * maxima of both signs and several magnitudes, and the same with a NaN or an infinity in the sub-block.
 * The vectorized codec must give the reference's bytes on all of them.
 */
class Q6KLevelBoundaryTest {
    private static final int QK_K = 256;
    private static final int SUB = 16;

    /** Numerators of make_qx_quants' first fit and of its 18 candidates: -(32 + 0.1·is). */
    private static List<Float> numerators() {
        List<Float> c = new ArrayList<>();
        c.add(-32.0f);
        for (int is = -9; is <= 9; is++) {
            if (is != 0) {
                c.add(-(32 + 0.1f * is));
            }
        }
        return c;
    }

    /**
     * Sub-blocks of 16: the maximum {@code max} first, then values x with {@code (c/max)·x} at a target
     * half-integer and one or two float steps either side, as far as they stay below |max|.
     */
    private static float[] boundaryValues(float poison, int poisonAt) {
        float[] targets = {31.5f, -31.5f, 32.5f, -32.5f, 30.5f, -30.5f, 0.5f, -0.5f, 16.5f, -16.5f};
        float[] maxima = {1.0f, -1.0f, 0.37f, -0.37f, 3.1e-5f, -3.1e-5f, 7.7e9f, -7.7e9f};
        List<Float> values = new ArrayList<>();
        for (float max : maxima) {
            List<Float> body = new ArrayList<>();
            for (float c : numerators()) {
                float iscale = c / max;
                for (float t : targets) {
                    float x = t / iscale;
                    float[] near = {x, Math.nextUp(x), Math.nextDown(x), Math.nextUp(Math.nextUp(x)),
                            Math.nextDown(Math.nextDown(x))};
                    for (float v : near) {
                        if (Math.abs(v) < Math.abs(max)) {
                            body.add(v);
                        }
                    }
                }
            }
            for (int i = 0; i < body.size(); i += SUB - 1) {
                values.add(max);
                for (int j = 0; j < SUB - 1; j++) {
                    values.add(body.get(Math.min(i + j, body.size() - 1)));
                }
            }
        }
        while (values.size() % QK_K != 0) {
            values.add(values.get(values.size() % 97));
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
            if (poisonAt >= 0 && i % SUB == poisonAt && (i / SUB) % 3 == 0) {
                v[i] = poison;
            }
        }
        return v;
    }

    @Test
    void levelEdgesOfEveryCandidateGiveTheReferenceBytes() {
        Q6KVectorCodec simd = new Q6KVectorCodec();
        List<String> problems = new ArrayList<>();
        problems.addAll(Differential.compare(GgmlType.Q6_K, simd, boundaryValues(0, -1), 0, 0, "level edges"));
        float[] poisons = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (float poison : poisons) {
            for (int at : new int[] {0, 5, SUB - 1}) {
                problems.addAll(Differential.compare(GgmlType.Q6_K, simd, boundaryValues(poison, at), 0, 0,
                        "level edges with " + poison + " at " + at));
            }
        }
        assertEquals(List.of(), problems);
    }
}
