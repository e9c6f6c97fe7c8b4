package dev.gguflens.quant.ref;

/**
 * ggml's {@code make_qkx2_quants} (reference/quantizers.md §2.4): the asymmetric scale-and-min search of
 * Q2_K, Q4_K and Q5_K. Levels {@code 0..nmax} stand for {@code scale*l + min} with {@code min <= 0}; a
 * first fit from the range is improved by {@code nstep + 1} least-squares candidates.
 */
final class ScaleMinQuants {
    private ScaleMinQuants() {
    }

    /**
     * Quantizes {@code x[xOff .. xOff+n)} to levels in {@code L[lOff ..]} and returns the scale; the
     * negated min ({@code the_min}, never negative) is written to {@code theMin[minIndex]}.
     *
     * @param weights {@code n} weights, from index 0
     * @param laux    scratch of at least {@code n} levels
     * @param useMad  errors are |diff| (Q2_K) rather than diff² (Q4_K, Q5_K)
     */
    static float quantize(int n, int nmax, float[] x, int xOff, float[] weights, int[] L, int lOff,
                          float[] theMin, int minIndex, int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        // step 1: range and weighted sums, sequential from index 0 (the order is part of the result)
        float min = x[xOff];
        float max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        // step 2: the min is never positive
        if (min > 0) {
            min = 0;
        }
        // step 3: a constant sub-block
        if (max == min) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            theMin[minIndex] = -min;
            return 0.0f;
        }
        // step 4: the first fit, spanning [min, max] (Math.clamp on ints is C's MAX(lo, MIN(hi, v)))
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.clamp(QuantMath.nearestInt(iscale * (xi - min)), 0, nmax);
            L[lOff + i] = l;
            float diff = scale * l + min - xi;
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        // step 6: candidates is = 0..nstep inclusive; `min` is the current one, which an accepted
        // candidate may have replaced (the trap of §2.4 6.1)
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = Math.clamp(QuantMath.nearestInt(iscale * (xi - min)), 0, nmax);
                laux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * xi;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xOff + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[minIndex] = -min;
        return scale;
    }
}
