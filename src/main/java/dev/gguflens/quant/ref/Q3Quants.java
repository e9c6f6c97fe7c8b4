package dev.gguflens.quant.ref;

/**
 * ggml's {@code make_q3_quants} with {@code do_rmse = true} (reference/quantizers.md §2.3): the signed
 * scale search of Q3_K. A first fit at {@code -nmax/max} is refined level by level (up to 5 rounds),
 * weighted by x²; levels come out offset to {@code 0..2·nmax-1}.
 */
final class Q3Quants {
    private Q3Quants() {
    }

    /** Quantizes {@code x[xOff .. xOff+n)} to levels in {@code L[lOff ..]} and returns the scale. */
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
        if (amax < SymmetricQuants.GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0; // 0, not nmax: a zero group keeps level 0
            }
            return 0.0f;
        }
        // step 2: the first fit; levels stay signed until step 4
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.clamp(QuantMath.nearestInt(iscale * xi), -nmax, nmax - 1);
            L[lOff + i] = l;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        // step 3: move single levels while that improves sumlx²/suml2, with running sums
        for (int itry = 0; itry < 5; itry++) {
            int nChanged = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int li = L[lOff + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * li;
                if (slx > 0) {
                    float sl2 = suml2 - w * li * li;
                    int newL = Math.clamp(QuantMath.nearestInt(xi * sl2 / slx), -nmax, nmax - 1);
                    if (newL != li) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lOff + i] = newL;
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
        // step 4
        for (int i = 0; i < n; i++) {
            L[lOff + i] += nmax;
        }
        return suml2 > 0 ? sumlx / suml2 : 0.0f;
    }
}
