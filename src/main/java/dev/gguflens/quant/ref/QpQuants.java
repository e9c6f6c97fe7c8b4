package dev.gguflens.quant.ref;

/**
 * ggml's {@code make_qp_quants} (reference/quantizers-imatrix.md §2.4): a weighted fit of non-negative
 * values to levels {@code 0..nmax} with one scale and no offset. The weighted K-quants use it for their
 * sub-block scales and mins, IQ2_XXS for a first scale. ggml keeps the levels in a uint8 array, so a
 * negative level (IQ2_XXS can produce one) is stored and read back as its low 8 bits: {@code L} here
 * holds exactly those 0..255 values.
 */
public final class QpQuants {
    private static final float ALL_ZERO = 1e-15f;

    private QpQuants() {
    }

    /**
     * Fits {@code x[xOff .. xOff+n)} with weights {@code w[wOff ..]}, writes the levels to
     * {@code L[lOff ..]} (0..255, as ggml's uint8) and returns the scale.
     */
    public static float quantize(int n, int nmax, float[] x, int xOff, int[] L, int lOff, float[] w, int wOff) {
        // step 1: C's MAX macro from 0 (a NaN replaces the running max, as (max > x) ? max : x does)
        float max = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            max = max > xi ? max : xi;
        }
        // step 2
        if (max < ALL_ZERO) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0.0f;
        }
        // step 3: the first fit, no clamp at all (levels wrap to 8 bits on store)
        float iscale = nmax / max;
        for (int i = 0; i < n; i++) {
            L[lOff + i] = QuantMath.nearestInt(iscale * x[xOff + i]) & 0xFF;
        }
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; i++) {
            float diff = x[xOff + i] - scale * L[lOff + i];
            bestMse += w[wOff + i] * diff * diff;
        }
        // step 4: eight candidates is = -4..4 without 0; only a strictly better one is kept
        for (int is = -4; is <= 4; is++) {
            if (is == 0) {
                continue;
            }
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.min(nmax, QuantMath.nearestInt(iscaleIs * x[xOff + i]));
                float diff = x[xOff + i] - scaleIs * l;
                mse += w[wOff + i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        // step 5: the levels of the chosen scale and the sums of the refinement
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.min(nmax, QuantMath.nearestInt(iscale * xi));
            L[lOff + i] = l & 0xFF;
            float wi = w[wOff + i];
            sumlx += wi * xi * l;
            suml2 += wi * l * l;
        }
        // step 6: move single levels while the fit improves, at most five rounds
        for (int itry = 0; itry < 5; itry++) {
            int nChanged = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                float wi = w[wOff + i];
                int li = L[lOff + i];
                float slx = sumlx - wi * xi * li;
                float sl2 = suml2 - wi * li * li;
                if (slx > 0 && sl2 > 0) {
                    int newL = Math.min(nmax, QuantMath.nearestInt(xi * sl2 / slx));
                    if (newL != li) {
                        slx += wi * xi * newL;
                        sl2 += wi * newL * newL;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lOff + i] = newL & 0xFF;
                            sumlx = slx;
                            suml2 = sl2;
                            nChanged++;
                        }
                    }
                }
            }
            if (nChanged == 0) {
                break;
            }
        }
        // step 7
        return suml2 > 0 ? sumlx / suml2 : 0.0f;
    }
}
