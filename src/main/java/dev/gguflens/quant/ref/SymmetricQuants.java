package dev.gguflens.quant.ref;

/**
 * ggml's {@code make_qx_quants} with {@code rmse_type = 1} and no importance weights
 * (reference/quantizers.md §2.2): the signed scale search of Q6_K. Levels {@code 0..2·nmax-1} stand
 * for {@code scale*(l - nmax)}; 18 candidate scales around {@code -nmax/max} are tried, weighted by x².
 */
final class SymmetricQuants {
    /** {@code GROUP_MAX_EPS}: below this a group counts as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private SymmetricQuants() {
    }

    /** Quantizes {@code x[xOff .. xOff+n)} to levels in {@code L[lOff ..]} and returns the scale (often negative). */
    static float quantize(int n, int nmax, float[] x, int xOff, int[] L, int lOff) {
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
        // step 2: an all-zero group
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0.0f;
        }
        // steps 3, 6: the first fit at -nmax/max
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.clamp(QuantMath.nearestInt(iscale * xi), -nmax, nmax - 1);
            L[lOff + i] = l + nmax;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        // step 7 (C's `suml2 ? ... : 0`: a NaN counts as non-zero, as != 0 does here)
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        // step 8: is = -9..9 without 0, in that order; only a strictly better candidate wins
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
                float w = xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
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
