package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ggml's float conversions and C rounding helpers, checked on the cases reference/quantizers.md §2.1, §4, §5 name. */
class Fp16Test {

    @Test
    void everyHalfDecodesExactlyAndNaNsComeOutQuiet() {
        for (int h = 0; h < 65536; h++) {
            float f = Fp16.toFloat((short) h);
            boolean nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
            if (nan) {
                int bits = Float.floatToRawIntBits(f);
                assertEquals((h & 0x8000) << 16 | 0x7FC00000 | (h & 0x3FF) << 13, bits, "half " + Integer.toHexString(h));
            } else {
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat((short) h)), Float.floatToRawIntBits(f));
                assertEquals((short) h, Fp16.fromFloat(f), "round trip of half " + Integer.toHexString(h));
            }
        }
        assertEquals(0x7FC02000, Float.floatToRawIntBits(Fp16.toFloat((short) 0x7C01)));
    }

    /** A bulk conversion of 16-bit values to floats, as {@link Fp16#toFloats} and {@link Fp16#bf16ToFloats} are. */
    private interface Bulk {
        void convert(short[] src, int n, float[] dst, int dstOff);
    }

    /**
     * {@code bulk} on all 65,536 values, enough rounds for the JIT to compile its loops (which must give the bits
     * the interpreter gives): each value's float bits are {@code expectedBits}, and nothing before the offset is written.
     */
    private static void assertEveryValueConverts(Bulk bulk, java.util.function.IntUnaryOperator expectedBits) {
        short[] all = new short[65536];
        for (int v = 0; v < all.length; v++) {
            all[v] = (short) v;
        }
        float[] out = new float[all.length + 3];
        for (int round = 0; round < 300; round++) {
            java.util.Arrays.fill(out, 42.0f);
            bulk.convert(all, all.length, out, 3);
            for (int v = 0; v < all.length; v++) {
                if (Float.floatToRawIntBits(out[v + 3]) != expectedBits.applyAsInt(v)) {
                    throw new AssertionError("round " + round + ", value " + Integer.toHexString(v) + ": "
                            + Integer.toHexString(Float.floatToRawIntBits(out[v + 3])));
                }
            }
            assertEquals(42.0f, out[0], "nothing written before the offset");
        }
    }

    @Test
    void bulkDecodeGivesEveryHalfsBitsInterpretedAndCompiled() {
        assertEveryValueConverts(Fp16::toFloats, h -> Float.floatToRawIntBits(Fp16.toFloat((short) h)));
        // a run without Inf or NaN skips the fix-up; one NaN among finite values is fixed up alone
        short[] some = {0x3C00, (short) 0xC000, 0x7D01, 0x0001};
        float[] got = new float[4];
        Fp16.toFloats(some, 4, got, 0);
        assertEquals(1.0f, got[0]);
        assertEquals(-2.0f, got[1]);
        assertEquals(0x7FC00000 | 0x101 << 13, Float.floatToRawIntBits(got[2]), "signalling NaN made quiet, payload kept");
        assertEquals(0x1p-24f, got[3]);
        Fp16.toFloats(some, 2, got, 2);
        assertEquals(-2.0f, got[3], "only n halves are read");
    }

    @Test
    void infOrNaNIsFoundAtEveryPositionOfAPairAndInAnOddLastHalf() {
        short[] finite = {0x3C00, 0x7BFF, (short) 0xFBFF, 0x0001, 0x03FF, (short) 0x8000, 0x7800};
        for (short special : new short[] {0x7C00, (short) 0xFC00, 0x7C01, 0x7E00, (short) 0xFFFF}) {
            for (int at = 0; at < finite.length; at++) {
                short[] halves = finite.clone();
                halves[at] = special;
                for (int n = 0; n <= halves.length; n++) {
                    assertEquals(n > at, Fp16.anyInfOrNaN(halves, n),
                            "half " + Integer.toHexString(special & 0xFFFF) + " at " + at + ", n " + n);
                }
            }
        }
        assertFalse(Fp16.anyInfOrNaN(finite, finite.length), "the largest finite halves are finite");
        short[] oddLast = {0x3C00, 0x3C00, 0x7E01};
        float[] got = new float[3];
        Fp16.toFloats(oddLast, 3, got, 0);
        assertEquals(0x7FC00000 | 0x201 << 13, Float.floatToRawIntBits(got[2]), "the odd last half is fixed up too");
    }

    @Test
    void bulkBf16DecodeGivesEveryValuesBits() {
        assertEveryValueConverts(Fp16::bf16ToFloats, b -> b << 16);
    }

    @Test
    void floatToHalfRoundsAsGgml() {
        assertEquals((short) 0x7E00, Fp16.fromFloat(Float.intBitsToFloat(0x7FA00001)), "NaN payload dropped, quiet");
        assertEquals((short) 0xFE00, Fp16.fromFloat(Float.intBitsToFloat(0xFFA00000)));
        assertEquals((short) 0x7C00, Fp16.fromFloat(65520f), "65520 overflows to Inf");
        assertEquals((short) 0x7BFF, Fp16.fromFloat(Math.nextDown(65520f)));
        assertEquals((short) 0x0000, Fp16.fromFloat(0x1p-25f), "2^-25 ties to even: 0");
        assertEquals((short) 0x0001, Fp16.fromFloat(Math.nextUp(0x1p-25f)));
        assertEquals((short) 0x8000, Fp16.fromFloat(-0.0f));
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaNsQuiet() {
        assertEquals((short) 0x3F80, Fp16.bf16FromFloat(1.0f));
        assertEquals((short) 0x3F80, Fp16.bf16FromFloat(Float.intBitsToFloat(0x3F808000)), "tie to even (down)");
        assertEquals((short) 0x3F82, Fp16.bf16FromFloat(Float.intBitsToFloat(0x3F818000)), "tie to even (up)");
        assertEquals((short) 0x7FC1, Fp16.bf16FromFloat(Float.intBitsToFloat(0x7F810000)), "signalling NaN made quiet");
        assertEquals((short) 0x0001, Fp16.bf16FromFloat(Float.intBitsToFloat(0x00010000)), "subnormal kept");
        assertEquals(1.0f, Fp16.bf16ToFloat((short) 0x3F80));
    }

    @Test
    void cRoundingHelpers() {
        assertEquals(0, QuantMath.nearestInt(0.5f));
        assertEquals(2, QuantMath.nearestInt(1.5f));
        assertEquals(2, QuantMath.nearestInt(2.5f));
        assertEquals(-2, QuantMath.nearestInt(-2.5f));
        assertEquals(0, QuantMath.nearestInt(Float.NaN));
        assertEquals(-4194304, QuantMath.nearestInt(Float.POSITIVE_INFINITY));
        assertEquals(Integer.MIN_VALUE, QuantMath.cvtt(Float.NaN));
        assertEquals(Integer.MIN_VALUE, QuantMath.cvtt(3e9f));
        assertEquals(-7, QuantMath.cvtt(-7.9f));
        assertEquals(123, (byte) QuantMath.cvtt(635f) & 0xFF, "int8 cast keeps the low bits");
        assertEquals(1.0f, QuantMath.roundf(0.5f));
        assertEquals(-3.0f, QuantMath.roundf(-2.5f));
        assertEquals(0.0f, QuantMath.roundf(0.49999997f));
        assertTrue(Float.floatToRawIntBits(QuantMath.roundf(-0.3f)) == 0x80000000, "roundf(-0.3) is -0");
        assertEquals(0, QuantMath.lroundfToInt(Float.NaN));
        assertEquals(3, QuantMath.lroundfToInt(2.5f));
    }
}
