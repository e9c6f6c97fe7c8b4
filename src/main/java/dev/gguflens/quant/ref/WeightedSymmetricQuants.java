package dev.gguflens.quant.ref;

/**
 * ggml's {@code make_qx_quants(n, nmax, x, L, rmse_type = 1, qw)} with importance weights
 * (reference/quantizers-imatrix.md §2.2, quantizers.md §2.2): the signed scale search of the weighted
 * Q4_0, Q5_0, Q3_K and Q6_K. Levels {@code 0..2·nmax-1} stand for {@code scale*(l - nmax)}; 18 candidate
 * scales around {@code -nmax/max} are tried with the given weights ({@code rmse_type} plays no role once
 * weights are given). {@link SymmetricQuants} is the same search weighted by x², for the plain Q6_K.
 */
final class WeightedSymmetricQuants {
    private WeightedSymmetricQuants() {
    }

    /**
     * Quantizes {@code x[xOff .. xOff+n)} with weights {@code w[wOff ..]} to levels in {@code L[lOff ..]} and
     * returns the scale (often negative: its sign follows {@code -max}). An all-zero group gives every level 0
     * and scale 0.
     */
    static float quantize(int n, int nmax, float[] x, int xOff, int[] L, int lOff, float[] w, int wOff) {
        // step 1: the first element of largest magnitude, with its sign
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        // step 2: an all-zero group: levels 0 (not nmax) and scale 0, so e.g. Q4_0 writes d = 0x0000 and codes 0
        if (amax < SymmetricQuants.GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0.0f;
        }
        // steps 3, 6: the first fit at -nmax/max, sums (w*x)*l and (w*l)*l
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.clamp(QuantMath.nearestInt(iscale * xi), -nmax, nmax - 1);
            L[lOff + i] = l + nmax;
            float wi = w[wOff + i];
            sumlx += wi * xi * l;
            suml2 += wi * l * l;
        }
        // step 7 (C's `suml2 ? ... : 0`: a NaN counts as non-zero, as != 0 does here)
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        // step 8: is = -9..9 without 0, in that order; only a strictly better candidate with suml2 > 0 wins
        // (zero weights can make suml2 0: that candidate is then never taken)
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = Math.clamp(QuantMath.nearestInt(iscale * xi), -nmax, nmax - 1);
                float wi = w[wOff + i];
                sumlx += wi * xi * l;
                suml2 += wi * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = QuantMath.nearestInt(iscale * x[xOff + i]);
                    L[lOff + i] = nmax + Math.clamp(l, -nmax, nmax - 1);
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }
}
