package dev.gguflens.quant.ref;

/**
 * The 4-bit float (E2M1) codes and block scales shared by MXFP4 and NVFP4: {@code kvalues_mxfp4},
 * {@code best_index_mxfp4}, E8M0 and UE4M3 (quantizers.md §2.7, §2.8; ggml-types.md §4).
 */
final class Fp4 {
    /**
     * {@code kvalues_mxfp4} (= {@code kvalues_fp4}, int8, E2M1 values times 2; index 8 is "-0") from
     * ggml/src/ggml-common.h of llama.cpp release v0.5.0 (commit 0ad4a86, ggml 0.25.1), MIT licence, copyright
     * the ggml authors; as in reference grids/kvalues_mxfp4.txt (sha256 of the packed table adf76b67...d478f97).
     */
    static final int[] KVALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    private Fp4() {
    }

    /**
     * {@code best_index_mxfp4(x, e)}: the index whose value times {@code e} is nearest {@code x}; a strict
     * compare keeps the lower index on ties, so index 8 ("-0") is never chosen.
     */
    static int bestIndex(float x, float e) {
        int best = 0;
        float bestErr = Math.abs(KVALUES[0] * e - x);
        for (int i = 1; i < 16; i++) {
            float err = Math.abs(KVALUES[i] * e - x);
            if (err < bestErr) {
                best = i;
                bestErr = err;
            }
        }
        return best;
    }

    /**
     * {@code GGML_E8M0_TO_FP32_HALF(e)}: 2^(e-128), built from bits; e = 0 and 1 give the subnormals 2^-128 and
     * 2^-127, and e = 0xFF is not special (2^127).
     */
    static float e8m0Half(int e) {
        return Float.intBitsToFloat(e < 2 ? 0x00200000 << e : (e - 1) << 23);
    }

    /**
     * {@code ggml_fp32_to_ue4m3(x)}: 0 for x that is not positive (NaN included), saturation at 448, and a
     * rounding that looks only at mantissa bit 19 (half up on the magnitude, not to even); every x of 256 or
     * more encodes as 0x7E.
     */
    static int ue4m3FromFloat(float x) {
        if (!(x > 0)) {
            return 0;
        }
        if (x > 448.0f) {
            x = 448.0f;
        }
        int bits = Float.floatToRawIntBits(x);
        int exp = ((bits >>> 23) & 0xFF) - 127;
        int mant = (bits >>> 20) & 7;
        int ue = exp + 7;
        if (ue <= 0) {
            // Below the smallest normal UE4M3: a subnormal code m/512, truncating x*512 + 0.5.
            int man = Math.min(QuantMath.cvtt(x * 512.0f + 0.5f), 7);
            return man < 1 ? 0 : man;
        }
        if (ue >= 15) {
            return 0x7E;
        }
        int man = mant + ((bits >>> 19) & 1);
        if (man > 7) {
            man = 0;
            ue++;
            if (ue >= 15) {
                return 0x7E;
            }
        }
        return (ue << 3) | man;
    }

    /** {@code ggml_ue4m3_to_fp32(u)}, already halved as ggml uses it (the table holds E2M1 values times 2). */
    static float ue4m3ToFloat(int u) {
        if (u == 0 || u == 0x7F) {
            return 0.0f;
        }
        int exp = (u >>> 3) & 0xF;
        int man = u & 7;
        float raw = exp == 0 ? Math.scalb((float) man, -9) : Math.scalb(1 + man / 8.0f, exp - 7);
        return raw * 0.5f;
    }
}
