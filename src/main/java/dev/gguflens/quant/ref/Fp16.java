package dev.gguflens.quant.ref;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ggml's scalar conversions between float and fp16 / bf16 (reference/quantizers.md §4), which differ
 * from Java's built-ins only for NaN.
 */
public final class Fp16 {
    private Fp16() {
    }

    /**
     * fp32 → fp16 as {@code ggml_compute_fp32_to_fp16} (the software path the build uses): round to
     * nearest even, subnormals kept, overflow to Inf; NaN becomes {@code sign | 0x7E00} (payload dropped).
     */
    public static short fromFloat(float f) {
        if (Float.isNaN(f)) {
            return (short) (((Float.floatToRawIntBits(f) >>> 16) & 0x8000) | 0x7E00);
        }
        return Float.floatToFloat16(f);
    }

    /** fp16 → fp32, exact; a NaN half keeps its payload but is made quiet (as F16C and ggml do). */
    public static float toFloat(short h) {
        if ((h & 0x7C00) == 0x7C00 && (h & 0x03FF) != 0) {
            int sign = (h & 0x8000) << 16;
            return Float.intBitsToFloat(sign | 0x7FC00000 | ((h & 0x03FF) << 13));
        }
        return Float.float16ToFloat(h);
    }

    /**
     * {@link #toFloat} of {@code n} halves at once, into {@code dst} from {@code dstOff}: the same bits, faster.
     * The plain loop over {@link Float#float16ToFloat} is one the JIT compiles to the CPU's vector conversion
     * (no Vector API, so nothing to warm up); a half whose exponent bits are all ones (Inf or NaN, rare in
     * weights) is then redone by {@link #toFloat}, so how the JVM converts NaN payloads never matters.
     */
    public static void toFloats(short[] src, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(src[i]);
        }
        if (anyInfOrNaN(src, n)) {
            for (int i = 0; i < n; i++) {
                if ((src[i] & 0x7C00) == 0x7C00) {
                    dst[dstOff + i] = toFloat(src[i]);
                }
            }
        }
    }

    /**
     * Whether any of the first {@code n} halves has all its exponent bits set (Inf or NaN). Bit 15 of
     * {@code (h & 0x7C00) + 0x0400} is set exactly then, so an OR over all of them answers. The halves are read two
     * per int: C2 turns that loop into vector code, while over the shorts themselves (each widened to an int) it stays
     * scalar, 0.3 ns per value, six times the conversion itself. Neither half's sum carries into the other.
     */
    static boolean anyInfOrNaN(short[] src, int n) {
        MemorySegment pairs = MemorySegment.ofArray(src);
        int any = 0;
        for (long i = 0; i < n / 2; i++) {
            any |= (pairs.get(ValueLayout.JAVA_INT_UNALIGNED, 4 * i) & 0x7C007C00) + 0x04000400;
        }
        if ((n & 1) != 0) {
            any |= (src[n - 1] & 0x7C00) + 0x0400;
        }
        return (any & 0x80008000) != 0;
    }

    /** fp32 → bf16 as {@code ggml_compute_fp32_to_bf16}: round to nearest even, NaN forced quiet, no flushing. */
    public static short bf16FromFloat(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((u >>> 16) | 0x40);
        }
        return (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
    }

    /** bf16 → fp32: the bits in the upper half. */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /** {@link #bf16ToFloat} of {@code n} values at once, into {@code dst} from {@code dstOff} (a loop the JIT vectorizes). */
    public static void bf16ToFloats(short[] src, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.intBitsToFloat(src[i] << 16);
        }
    }
}
