package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.RefCodecs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * F16 with a vectorized decode, bit for bit {@link Fp16#toFloat} (NaNs quieted with their payload kept,
 * signed zeros, subnormals, infinities); encoding and validation are the reference's.
 */
final class F16VectorCodec implements BlockCodec {
    /** The bytes of one float vector's worth of halves: half the width. */
    private static final VectorSpecies<Byte> HALVES = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(VectorWidth.SHAPE.vectorBitSize() / 2));
    /** 2^112 = 2^(127 - 15): moves a half's exponent, placed in a float's bits, to the float bias. */
    private static final float REBIAS = 0x1p112f;

    private final BlockCodec reference = RefCodecs.get(GgmlType.F16);

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        reference.quantize(src, srcOff, dst, dstOff, n);
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        int lanes = VectorWidth.LANES;
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            IntVector h = (IntVector) ByteVector.fromArray(HALVES, src, srcOff + 2 * i).reinterpretAsShorts()
                    .convertShape(VectorOperators.S2I, VectorWidth.I, 0);
            IntVector magnitude = h.and(0x7FFF);
            IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
            // Finite halves: the exponent and mantissa placed in a float's bits are the value times 2^-112
            // exactly (subnormal halves become subnormal floats), so one multiplication rebiases them.
            IntVector finite = shifted.reinterpretAsFloats().mul(REBIAS).reinterpretAsInts();
            // Infinities and NaNs: all exponent bits set, the payload kept, a NaN made quiet.
            IntVector special = shifted.or(0x7F800000)
                    .blend(shifted.or(0x7FC00000), magnitude.compare(VectorOperators.GT, 0x7C00));
            IntVector bits = finite.blend(special, magnitude.compare(VectorOperators.GE, 0x7C00))
                    .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16));
            bits.reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            short h = (short) ((src[srcOff + 2 * i] & 0xFF) | (src[srcOff + 2 * i + 1] << 8));
            dst[dstOff + i] = Fp16.toFloat(h);
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return reference.firstInvalidBlock(data, off, nBlocks);
    }
}
