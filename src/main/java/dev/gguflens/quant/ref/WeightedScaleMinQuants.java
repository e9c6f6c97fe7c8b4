package dev.gguflens.quant.ref;

/**
 * ggml's {@code make_qkx3_quants(n, nmax, x, weights, L, &the_min, Laux, rmin, rdelta, nstep, use_mad = false)}
 * with importance weights (reference/quantizers-imatrix.md §2.3): the asymmetric scale-and-min search of the
 * weighted Q4_1, Q5_1, Q2_K, Q4_K and Q5_K. Levels {@code 0..nmax} stand for {@code scale*l + min} with
 * {@code min <= 0}; a first fit spanning the range is improved by {@code nstep + 1} weighted least-squares
 * candidates. It differs from {@link ScaleMinQuants} ({@code make_qkx2_quants}) in its constant-group test
 * ({@code max <= min}) and in that every caller passes real weights, squared errors and
 * {@code (-0.9, 0.05, 36)}.
 */
final class WeightedScaleMinQuants {
    static final float RMIN = -0.9f;
    static final float RDELTA = 0.05f;
    static final int NSTEP = 36;

    private WeightedScaleMinQuants() {
    }

    /**
     * Quantizes {@code x[xOff .. xOff+n)} with {@code weights[0 .. n)} to levels in {@code L[lOff ..]} and returns
     * the scale; the negated min ({@code the_min}, never negative for finite input) goes to
     * {@code theMin[minIndex]}. {@code laux} is scratch of at least {@code n} levels.
     */
    static float quantize(int n, int nmax, float[] x, int xOff, float[] weights, int[] L, int lOff,
                          float[] theMin, int minIndex, int[] laux) {
        // step 1: range and weighted sums, sequential from index 0
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
        // step 2: the min is never positive (a -0.0 min stays -0.0: the_min is then +0.0)
        if (min > 0) {
            min = 0;
        }
        // step 3: a constant group
        if (max <= min) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            theMin[minIndex] = -min;
            return 0.0f;
        }
        // step 4: the first fit, spanning [min, max]; error Σ w*(diff*diff)
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float best = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = Math.clamp(QuantMath.nearestInt(iscale * (xi - min)), 0, nmax);
            L[lOff + i] = l;
            float diff = scale * l + min - xi;
            best += weights[i] * (diff * diff);
        }
        // step 5: candidates is = 0..nstep inclusive; `min` is the current one, which an accepted candidate
        // replaces (used both in iscale and in x - min), while `max` never changes
        for (int is = 0; is <= NSTEP; is++) {
            iscale = (RMIN + RDELTA * is + nmax) / (max - min);
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
            // zero weights can make D zero: then the candidate is skipped
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float err = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xOff + i];
                    err += weights[i] * (diff * diff);
                }
                if (err < best) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    best = err;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        // step 6
        theMin[minIndex] = -min;
        return scale;
    }
}
