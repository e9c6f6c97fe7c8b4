package dev.gguflens.quant.ref;

/**
 * The scalar {@link Iq3NeighbourSearch}. Each candidate's error is the sum of four terms
 * {@code (w_i*diff)*diff} that depend only on the coordinate and the level, so the 32 are computed once per
 * scan and each entry costs three additions of the same floats ggml adds, in ggml's order. The minimum is
 * kept without a branch (still a strict {@code <}: the first best wins).
 */
final class Iq3ScalarSearch implements Iq3NeighbourSearch {
    /** {@code POSITIONS[l] = 2l + 1}, the float the search multiplies by the scale. */
    private static final float[] POSITIONS = {1, 3, 5, 7, 9, 11, 13, 15};

    /** Per slot, the entry's term indices {@code 8i + l_i}, a byte apiece. */
    private final int[] slotTerms;
    private final float[] terms = new float[32];

    Iq3ScalarSearch(int[] slotTerms) {
        this.slotTerms = slotTerms;
    }

    @Override
    public int best(float[] x, int xOff, float[] w, int wOff, float scale, int first, int n) {
        for (int i = 0; i < 4; i++) {
            float xi = x[xOff + i], wi = w[wOff + i];
            for (int l = 0; l < 8; l++) {
                float e = scale * POSITIONS[l] - xi;
                terms[8 * i + l] = wi * e * e;
            }
        }
        int[] packed = slotTerms;
        float best = Float.MAX_VALUE;
        int bestSlot = -1;
        for (int s = first; s < first + n; s++) {
            int q = packed[s];
            float d2 = 0f + terms[q & 31]; // from 0 as in ggml
            d2 += terms[(q >>> 8) & 31];
            d2 += terms[(q >>> 16) & 31];
            d2 += terms[q >>> 24];
            boolean better = d2 < best; // false for NaN, as in ggml
            best = better ? d2 : best;
            bestSlot = better ? s : bestSlot;
        }
        return bestSlot < 0 ? -1 : bestSlot - first;
    }
}
