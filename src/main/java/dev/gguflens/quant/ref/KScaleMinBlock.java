package dev.gguflens.quant.ref;

/**
 * The part Q4_K and Q5_K share (reference/quantizers.md §3 Q4_K steps 1–3, Q5_K): per 32-value
 * sub-block a scale and min from {@code make_qkx2_quants}, both packed as 6-bit values against the fp16
 * super-scales {@code d} and {@code dmin} (header: d @0, dmin @2, 12 scale bytes @4), then every
 * value re-quantized with the stored (rounded) scales. The two types differ only in their level count
 * and search range, and in how they pack the levels afterwards.
 */
final class KScaleMinBlock {
    static final int QK_K = 256;
    static final int D = 0;
    static final int DMIN = 2;
    static final int SCALES = 4;

    /** Per-call scratch (the C function's stack arrays), so the codecs themselves stay stateless. */
    static final class Work {
        /** The levels of the last quantized block, 0..nmax, in value order. */
        final int[] L = new int[QK_K];
        final int[] laux = new int[32];
        final float[] weights = new float[32];
        final float[] mins = new float[QK_K / 32];
        final float[] scales = new float[QK_K / 32];
        /** Weighted path only: the sub-block weight sums and the 6-bit levels of the scales and mins. */
        final float[] sw = new float[QK_K / 32];
        final int[] ls = new int[QK_K / 32];
        final int[] lm = new int[QK_K / 32];
    }

    private KScaleMinBlock() {
    }

    /**
     * Writes d, dmin and the 12 scale bytes of the block at {@code yo} for the 256 values at {@code xo},
     * and leaves their levels (0..nmax) in {@code w.L}.
     */
    static void quantizeLevels(float[] x, int xo, byte[] y, int yo, int nmax, float rmin, int nstep, Work w) {
        int[] L = w.L;
        // step 1: weights av_x + |x|, with av_x the RMS of the sub-block (sum sequential from 0)
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < QK_K / 32; j++) {
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                float v = x[xo + 32 * j + l];
                sumX2 += v * v;
            }
            float avX = (float) Math.sqrt(sumX2 / 32); // sqrtf: the double root rounds to the same float
            for (int l = 0; l < 32; l++) {
                w.weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
            }
            w.scales[j] = ScaleMinQuants.quantize(32, nmax, x, xo + 32 * j, w.weights, L, 32 * j,
                    w.mins, j, w.laux, rmin, 0.1f, nstep, false);
            if (w.scales[j] > maxScale) {
                maxScale = w.scales[j];
            }
            if (w.mins[j] > maxMin) {
                maxMin = w.mins[j];
            }
        }
        // step 2: 6-bit scales and mins; C stores NI in a uint8 before MIN(63, ·), so a negative NI becomes 63
        float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
        float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
        for (int j = 0; j < QK_K / 32; j++) {
            int ls = Math.min(63, QuantMath.nearestInt(invScale * w.scales[j]) & 0xFF);
            int lm = Math.min(63, QuantMath.nearestInt(invMin * w.mins[j]) & 0xFF);
            KScaleMin6.put(y, yo + SCALES, j, ls, lm);
        }
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(maxScale / 63.0f));
        QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(maxMin / 63.0f));
        requantize(x, xo, y, yo, nmax, L);
    }

    /**
     * The weighted Q4_K / Q5_K (quantizers-imatrix.md §3.5, §3.6, {@code quantize_row_q4_K_impl} and
     * {@code quantize_row_q5_K_impl}): writes d, dmin and the 12 scale bytes of the block at {@code yo} for the
     * 256 values at {@code xo}, with {@code qw[qo ..]} the weights of their columns, and leaves their levels
     * (0..nmax) in {@code w.L}. Q5_K caps the scale and min levels at 63 before packing, Q4_K does not.
     */
    static void quantizeLevelsWeighted(float[] x, int xo, byte[] y, int yo, int nmax, boolean capAt63,
                                       float[] qw, int qo, Work w) {
        int[] L = w.L;
        // step 1: sigma2 = (2·Σx²)/256 over the super-block
        float sigma2 = 2 * ImportanceWeights.sumOfSquares(x, xo, QK_K) / QK_K;
        // step 2: per 32 values, w = qw*sqrtf(sigma2 + x²), their sum sw, and make_qkx3_quants(32, nmax)
        for (int j = 0; j < QK_K / 32; j++) {
            ImportanceWeights.fill(w.weights, 0, qw, qo + 32 * j, sigma2, x, xo + 32 * j, 32);
            w.sw[j] = ImportanceWeights.sum(w.weights, 0, 32);
            w.scales[j] = WeightedScaleMinQuants.quantize(32, nmax, x, xo + 32 * j, w.weights, L, 32 * j, w.mins, j, w.laux);
        }
        // step 3: the scales and mins themselves quantized to 0..63 (uint8 values), weighted by sw
        float dBlock = QpQuants.quantize(QK_K / 32, 63, w.scales, 0, w.ls, 0, w.sw, 0);
        float mBlock = QpQuants.quantize(QK_K / 32, 63, w.mins, 0, w.lm, 0, w.sw, 0);
        // step 4: the §2.5 packing and the fp16 super-scales
        for (int j = 0; j < QK_K / 32; j++) {
            int ls = capAt63 ? Math.min(63, w.ls[j]) : w.ls[j];
            int lm = capAt63 ? Math.min(63, w.lm[j]) : w.lm[j];
            KScaleMin6.put(y, yo + SCALES, j, ls, lm);
        }
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(dBlock));
        QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(mBlock));
        // step 5: as the plain path
        requantize(x, xo, y, yo, nmax, L);
    }

    /** Re-quantizes every value with the stored scales and mins; a zero scale keeps the search's levels. */
    private static void requantize(float[] x, int xo, byte[] y, int yo, int nmax, int[] L) {
        float d = QuantMath.f16(y, yo + D);
        float dmin = QuantMath.f16(y, yo + DMIN);
        for (int j = 0; j < QK_K / 32; j++) {
            float dd = d * KScaleMin6.scale(y, yo + SCALES, j);
            if (dd == 0) {
                continue;
            }
            float dm = dmin * KScaleMin6.min(y, yo + SCALES, j);
            for (int ii = 0; ii < 32; ii++) {
                int l = QuantMath.nearestInt((x[xo + 32 * j + ii] + dm) / dd);
                L[32 * j + ii] = Math.clamp(l, 0, nmax);
            }
        }
    }

}
