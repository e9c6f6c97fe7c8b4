package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.QuantMath;
import dev.gguflens.quant.ref.RefCodecs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 with the Vector API: the same bytes and floats as {@code quant.ref.Q8_0Codec}
 * (reference/quantizers.md §3 Q8_0). Block of 32 values, 34 bytes: {@code fp16 d}, {@code int8 qs[32]}.
 */
final class Q8_0VectorCodec implements BlockCodec {
    private static final int QK = LegacyBlock.QK;
    private static final int BYTES = 34;
    private static final int QS = 2;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q8_0);

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            int xb = srcOff + i * QK;
            int yb = dstOff + i * BYTES;
            float d = LegacyBlock.absMax(src, xb) / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(dst, yb, Fp16.fromFloat(d));
            for (int piece = 0; piece < QK; piece += 16) {
                ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
                for (int p = 0; p < VectorWidth.PARTS; p++) {
                    FloatVector v = VectorWidth.floats(src, xb + piece + p * VectorWidth.LANES).mul(id);
                    bytes = bytes.or(VectorWidth.narrow(roundfToInt(v), p));
                }
                bytes.intoArray(dst, yb + QS + piece);
            }
        }
    }

    /**
     * {@code (int) roundf(v)} as x86 C computes it: half away from zero, then 0x80000000 for NaN and
     * anything beyond the int range. The truncation {@code t} and the fraction {@code v - t} are exact
     * (a float's integer part is a float), so the rounding is decided on the exact fraction; there is
     * no float {@code |v| + 0.5} that could round up by itself.
     */
    private static IntVector roundfToInt(FloatVector v) {
        IntVector t = LegacyBlock.cvtt(v);
        FloatVector frac = v.sub(VectorWidth.toFloats(t));
        // out-of-range lanes: t is 0x80000000 and frac garbage; NaN fraction compares false
        IntVector up = t.add(1, frac.compare(VectorOperators.GE, 0.5f).cast(VectorWidth.I));
        IntVector rounded = up.sub(1, frac.compare(VectorOperators.LE, -0.5f).cast(VectorWidth.I));
        return rounded.blend(Integer.MIN_VALUE, t.eq(Integer.MIN_VALUE));
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            int b = srcOff + i * BYTES;
            int out = dstOff + i * QK;
            FloatVector d = FloatVector.broadcast(VectorWidth.F, QuantMath.f16(src, b));
            for (int piece = 0; piece < QK; piece += 16) {
                ByteVector q = VectorWidth.piece(src, b + QS + piece);
                for (int p = 0; p < VectorWidth.PARTS; p++) {
                    VectorWidth.toFloats(VectorWidth.widen(q, p)).mul(d).intoArray(dst, out + piece + p * VectorWidth.LANES);
                }
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return reference.firstInvalidBlock(data, off, nBlocks);
    }
}
