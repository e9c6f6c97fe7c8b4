package dev.gguflens.quant.ref;

/**
 * The C rounding and conversion semantics ggml's quantizers rely on (reference/quantizers.md §2.1, §5),
 * none of which Java's {@code Math.round} or {@code (int)} casts reproduce.
 */
public final class QuantMath {
    private QuantMath() {
    }

    /** ggml's {@code nearest_int}: round half to even through the 1.5·2^23 trick, garbage kept bit for bit out of range. */
    public static int nearestInt(float f) {
        float v = f + 12582912.0f;
        return (Float.floatToRawIntBits(v) & 0x007FFFFF) - 0x00400000;
    }

    /** C's float → int32 on x86-64 ({@code cvttss2si}): truncation; NaN or out of range gives {@code 0x80000000}. */
    public static int cvtt(float v) {
        if (Float.isNaN(v) || v >= 2147483648.0f || v < -2147483648.0f) {
            return Integer.MIN_VALUE;
        }
        return (int) v;
    }

    /** C's {@code roundf}: half away from zero, as a float (exact: floats under 2^23 fit a double's mantissa with room). */
    public static float roundf(float v) {
        if (Float.isNaN(v) || Math.abs(v) >= 8388608.0f) {
            return v; // NaN, infinities and floats of magnitude >= 2^23 are their own rounding
        }
        return (float) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /**
     * C's {@code (int) lroundf(v)} on x86-64: half away from zero; NaN, infinities and values beyond the
     * long range give LONG_MIN, whose low 32 bits (0) the int conversion keeps.
     */
    public static int lroundfToInt(float v) {
        if (Float.isNaN(v) || Math.abs(v) >= 9.223372e18f) {
            return (int) Long.MIN_VALUE;
        }
        return (int) (long) roundf(v);
    }

    /** A little-endian uint16 from {@code b} at {@code off}. */
    public static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    /** Writes a little-endian 16-bit value. */
    public static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    /** A little-endian int32 from {@code b} at {@code off}. */
    public static int i32(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    /** Writes a little-endian int32. */
    public static void putI32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /** The fp16 at {@code off} as a float. */
    public static float f16(byte[] b, int off) {
        return Fp16.toFloat((short) u16(b, off));
    }

    /** Whether the fp16 at {@code off} is NaN or infinite (what {@code ggml_validate_row_data} rejects). */
    public static boolean f16NonFinite(byte[] b, int off) {
        return (u16(b, off) & 0x7C00) == 0x7C00;
    }
}
