package dev.gguflens.quant.ref;

/**
 * ggml's {@code quantize_row_iq4_nl_impl} with {@code ntry = 7}, with or without an importance matrix, shared by
 * IQ4_NL (one sub-block of 32 per block) and IQ4_XS (8 sub-blocks of 32 under one fp16 scale), with
 * {@code best_index_int8} and the {@code kvalues_iq4nl} table (quantizers.md §2.6, §3 "IQ4_NL" and "IQ4_XS").
 *
 * <p>llama-quantize runs this path, not {@code quantize_row_iq4_nl_ref} (which uses {@code ntry = -1} and
 * gives other bytes): quantizers.md §1.
 */
final class Iq4NlQuantizer {
    /**
     * {@code kvalues_iq4nl} (int8, 16 entries) from ggml/src/ggml-common.h of llama.cpp release v0.5.0
     * (commit 0ad4a86, ggml 0.25.1), MIT licence, copyright the ggml authors; as in reference
     * grids/kvalues_iq4nl.txt (sha256 of the packed table 61aa4754...b46163).
     */
    static final int[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** ggml's GROUP_MAX_EPS: a sub-block whose largest magnitude is below this is treated as all zero. */
    private static final float GROUP_MAX_EPS = 1e-15f;
    private static final int BLOCK_SIZE = 32;
    private static final int NTRY = 7;

    private Iq4NlQuantizer() {
    }

    /**
     * The binary's (older) {@code best_index_int8(16, kvalues_iq4nl, x)}: a bisection, then the nearer of the
     * two neighbours, an exact midpoint going to the upper one. NaN falls through every compare and gives 15
     * (the newer branchless search would give 0).
     */
    static int bestIndexInt8(float x) {
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

    /** The C function's scratch arrays ({@code scales}, {@code weight}, {@code L}), made once per call of a codec. */
    static final class Work {
        final float[] scales = new float[256 / BLOCK_SIZE];
        final float[] weight = new float[BLOCK_SIZE];
        final int[] lq = new int[256];
    }

    /**
     * Quantizes {@code superBlockSize} values (32 for IQ4_NL, 256 for IQ4_XS) from {@code x} at {@code xOff}.
     * Like the C function's pointer arguments: the fp16 {@code d} goes to {@code y[dhOff]}, the nibbles to
     * {@code y[q4Off]}, and, only when there are several sub-blocks, the 6-bit sub-block scales to the u16
     * {@code scales_h} at {@code y[scalesHOff]} and the 4 bytes {@code scales_l} at {@code y[scalesLOff]}.
     * With importance values {@code qw[qwOff ..]} for the super-block's columns the weights change, nothing
     * else (quantizers-imatrix.md §3.8); {@code qw} null is the plain path.
     */
    static void quantize(int superBlockSize, float[] x, int xOff, byte[] y, int dhOff, int scalesHOff, int scalesLOff,
                         int q4Off, float[] qw, int qwOff, Work work) {
        int nSub = superBlockSize / BLOCK_SIZE;
        float[] scales = work.scales;
        float[] weight = work.weight;
        int[] lq = work.lq;

        // sigma2 = Σx² * (2/super_block_size), one rounding (2.0f/32 and 2.0f/256 are exact); only the
        // importance weights use it
        float sigma2 = qw == null ? 0.0f : ImportanceWeights.sumOfSquares(x, xOff, superBlockSize) * (2.0f / superBlockSize);
        QuantMath.putU16(y, dhOff, Fp16.fromFloat(0.0f));

        float maxScale = 0.0f;
        float amaxScale = 0.0f;
        for (int ib = 0; ib < nSub; ib++) {
            int xb = xOff + ib * BLOCK_SIZE;
            // weight[j] = xb[j]*xb[j], or qw*sqrtf(sigma2 + xb[j]²) with the sub-block's importance values
            if (qw == null) {
                for (int j = 0; j < BLOCK_SIZE; j++) {
                    weight[j] = x[xb + j] * x[xb + j];
                }
            } else {
                ImportanceWeights.fill(weight, 0, qw, qwOff + ib * BLOCK_SIZE, sigma2, x, xb, BLOCK_SIZE);
            }
            // First max of |x| with its sign.
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float ax = Math.abs(x[xb + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[xb + j];
                }
            }
            if (amax < GROUP_MAX_EPS) {
                scales[ib] = 0.0f;
                continue;
            }
            // ntry > 0: d = -max / values[0].
            float d = -max / KVALUES[0];
            float id = 1 / d;
            float sumqx = 0.0f;
            float sumq2 = 0.0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                float xv = x[xb + j];
                int l = bestIndexInt8(id * xv);
                lq[ib * BLOCK_SIZE + j] = l;
                float q = KVALUES[l];
                float w = weight[j];
                sumqx += w * q * xv;
                sumq2 += w * q * q;
            }
            d = sumq2 > 0 ? sumqx / sumq2 : 0.0f;
            float best = d * sumqx;
            for (int itry = -NTRY; itry <= NTRY; itry++) {
                // (itry + values[0]) is an int sum, converted to float once, then divided by max.
                id = (itry + KVALUES[0]) / max;
                sumqx = 0.0f;
                sumq2 = 0.0f;
                for (int j = 0; j < BLOCK_SIZE; j++) {
                    float xv = x[xb + j];
                    float q = KVALUES[bestIndexInt8(id * xv)];
                    float w = weight[j];
                    sumqx += w * q * xv;
                    sumq2 += w * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scales[ib] = d;
            float absD = Math.abs(d);
            if (absD > amaxScale) {
                amaxScale = absD;
                maxScale = d;
            }
        }

        if (nSub > 1) {
            // IQ4_XS: the sub-block scales become 6-bit multiples of d = -max_scale/32, and every sub-block is
            // re-quantized with its rounded scale (a zero sub-block gets l = 0, index 8 everywhere).
            int scalesH = 0;
            float d = -maxScale / 32;
            QuantMath.putU16(y, dhOff, Fp16.fromFloat(d));
            float id = d != 0 ? 1 / d : 0.0f;
            for (int ib = 0; ib < nSub; ib++) {
                int l = QuantMath.nearestInt(id * scales[ib]);
                l = Math.max(-32, Math.min(31, l));
                float dl = d * l;
                float idl = dl != 0 ? 1 / dl : 0.0f;
                int xb = xOff + ib * BLOCK_SIZE;
                for (int j = 0; j < BLOCK_SIZE; j++) {
                    lq[ib * BLOCK_SIZE + j] = bestIndexInt8(idl * x[xb + j]);
                }
                l += 32;
                int lLow = l & 0xF;
                int lHigh = l >> 4;
                if (ib % 2 == 0) {
                    y[scalesLOff + ib / 2] = (byte) lLow;
                } else {
                    y[scalesLOff + ib / 2] |= (byte) (lLow << 4);
                }
                scalesH |= lHigh << (2 * ib);
            }
            QuantMath.putU16(y, scalesHOff, scalesH);
        } else {
            // IQ4_NL: the block is re-quantized with the unrounded scale (ntry > 0).
            QuantMath.putU16(y, dhOff, Fp16.fromFloat(scales[0]));
            float id = scales[0] != 0 ? 1 / scales[0] : 0.0f;
            for (int j = 0; j < superBlockSize; j++) {
                lq[j] = bestIndexInt8(id * x[xOff + j]);
            }
        }

        // Nibble split per 32 values: low nibble = element j, high nibble = element j+16.
        for (int i = 0; i < superBlockSize / 32; i++) {
            for (int j = 0; j < 16; j++) {
                y[q4Off + 16 * i + j] = (byte) (lq[32 * i + j] | lq[32 * i + 16 + j] << 4);
            }
        }
    }
}
