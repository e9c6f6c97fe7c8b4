package dev.gguflens.quant.ref;

/**
 * {@code floorf(log2f(a))} exactly as glibc computes it (MXFP4's scale exponent, quantizers.md §3 "MXFP4"
 * trap (a) and §5 trap 13).
 *
 * <p>It is not {@code Math.getExponent(a)}: {@code log2f} rounds its result to float, so for the largest few
 * floats of many binades the logarithm rounds up to the next integer (log2f(0x1.fffffep+2) = 3). glibc's
 * {@code log2f} is correctly rounded there: the floats that round up are exactly the top {@code n_k} of binade
 * {@code k}, those whose distance below 2^(k+1), about j·2^-24/ln 2 for the j-th float from the top, is less
 * than half a float step of the result near k+1. The counts below are the ones measured on glibc 2.36 over
 * every positive float (7,456 floats in all), the C library of the llama.cpp build the oracle comes from.
 */
final class FloorLog2f {
    private FloorLog2f() {
    }

    /** {@code floorf(log2f(a))} for {@code a > 0}; +Inf gives +Inf (as log2f does). */
    static float of(float a) {
        if (a == Float.POSITIVE_INFINITY) {
            return Float.POSITIVE_INFINITY;
        }
        int bits = Float.floatToRawIntBits(a);
        int k = exponent(bits);
        int top = k + 1 >= Float.MIN_EXPONENT
                ? (k + 1 + 127) << 23 // 2^(k+1) as a normal float
                : 1 << (k + 1 + 149); // 2^(k+1) as a subnormal float
        int fromTop = top - bits; // floats a is below 2^(k+1): 1 for the largest float of the binade
        return fromTop <= roundingUp(k) ? k + 1 : k;
    }

    /** The exact floor(log2 a) of a positive finite float from its bits (subnormals included). */
    private static int exponent(int bits) {
        int biased = bits >>> 23;
        return biased != 0 ? biased - 127 : (31 - Integer.numberOfLeadingZeros(bits)) - 149;
    }

    /** n_k: how many of the largest floats of binade k have a log2f that rounds up to k + 1 (quantizers.md §3 "MXFP4"). */
    static int roundingUp(int k) {
        if (k >= -2 && k <= 1) {
            return 0; // log2 near -1, 0, 1, 2: the result's float step is too fine
        }
        if (k >= -4 && k <= 3) {
            return 1;
        }
        if (k >= -8 && k <= 7) {
            return 2;
        }
        if (k >= -16 && k <= 15) {
            return 5;
        }
        if (k >= -32 && k <= 31) {
            return 11;
        }
        if (k >= -64 && k <= 63) {
            return 22;
        }
        if (k >= -126) {
            return 44; // -126..-65 and 64..127
        }
        // Subnormal binades: the relative float step of a grows as a shrinks.
        return switch (k) {
            case -127 -> 22;
            case -128, -129 -> 11;
            case -130 -> 5;
            case -131 -> 2;
            case -132 -> 1;
            default -> 0; // below -132
        };
    }
}
