package dev.gguflens.quant.simd;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * This JVM's vector width, fixed once: the float and int species of one shape, and the lane operations
 * the codecs share.
 *
 * <p>The species are {@code static final} on purpose: C2 turns Vector API calls into vector instructions
 * only when it sees the species as a constant (held in an instance field, the same code runs some 20 times
 * slower, boxing every vector). So the width is per JVM: the system property
 * {@value #BITS_PROPERTY} = {@code 128}, {@code 256} or {@code 512} forces one (tests and benchmarks
 * start a JVM per width); anything else, or nothing, means the CPU's preferred width.
 *
 * <p>Byte data moves in pieces of 16 bytes ({@link #BYTES16}, valid at every width): a piece widens to
 * {@link #PARTS} int vectors and int vectors narrow back into one piece, so no code path needs a byte
 * species narrower than 128 bits.
 */
final class VectorWidth {
    /** Read here and by {@code dev.gguflens.quant.CodecSelection}, which also accepts {@code scalar}. */
    static final String BITS_PROPERTY = "gguflens.vector.bits";

    static final VectorShape SHAPE = shape(System.getProperty(BITS_PROPERTY));
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, SHAPE);
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, SHAPE);
    static final VectorSpecies<Byte> BYTES16 = ByteVector.SPECIES_128;
    /** Float (and int) lanes per vector: 4, 8 or 16. */
    static final int LANES = F.length();
    /** Int vectors per 16-byte piece. */
    static final int PARTS = 16 / LANES;

    /** 1.5·2^23: adding it leaves round-half-even of the sum's integer part in the low mantissa bits (§2.1). */
    private static final float NEAREST_INT_MAGIC = 12582912.0f;
    /** The bits of {@link #NEAREST_INT_MAGIC}: those of {@code v + 1.5·2^23} are these plus nearest_int(v) while |v| < 2^22. */
    private static final int MAGIC_BITS = Float.floatToRawIntBits(NEAREST_INT_MAGIC);

    private VectorWidth() {
    }

    private static VectorShape shape(String bits) {
        return switch (bits == null ? "" : bits.strip()) {
            case "128" -> VectorShape.S_128_BIT;
            case "256" -> VectorShape.S_256_BIT;
            case "512" -> VectorShape.S_512_BIT;
            default -> VectorShape.preferredShape();
        };
    }

    /** ggml's {@code nearest_int} per lane, bit for bit (out-of-range and NaN lanes give the same garbage as C). */
    static IntVector nearestInt(FloatVector v) {
        return v.add(NEAREST_INT_MAGIC).reinterpretAsInts().and(0x007FFFFF).sub(0x00400000);
    }

    /** {@code clamp(nearest_int(v), lo, hi)} per lane (int compares: no NaN or signed-zero questions). */
    static IntVector levels(FloatVector v, int lo, int hi) {
        return nearestInt(v).max(lo).min(hi);
    }

    /**
     * {@code clamp(nearest_int(v), lo, hi)} as an exact float, in the magic domain: the bits of {@code v + 1.5·2^23}
     * clamped as ints between those of {@code 1.5·2^23 + lo} and {@code 1.5·2^23 + hi}, minus {@code 1.5·2^23}. Two
     * operations fewer than {@link #levelsAsFloats}, and the same floats wherever {@code |v| < 2^22}, which the
     * caller must make sure of. Without the lower clamp ({@code clampBelow} false) where the caller knows
     * {@code v >= lo - 0.5}, which nearest_int cannot take below {@code lo}.
     */
    static FloatVector magicLevels(FloatVector v, int lo, int hi, boolean clampBelow) {
        IntVector bits = v.add(NEAREST_INT_MAGIC).reinterpretAsInts().min(MAGIC_BITS + hi);
        if (clampBelow) {
            bits = bits.max(MAGIC_BITS + lo);
        }
        return bits.reinterpretAsFloats().sub(NEAREST_INT_MAGIC);
    }

    /** {@link #levels} as exact floats, for the float sums that use them. */
    static FloatVector levelsAsFloats(FloatVector v, int lo, int hi) {
        return (FloatVector) levels(v, lo, hi).convert(VectorOperators.I2F, 0);
    }

    /** The ints of {@code v} as exact floats. */
    static FloatVector toFloats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Lanes {@code part·LANES ..} of a 16-byte piece, sign-extended to ints. */
    static IntVector widen(ByteVector piece, int part) {
        return (IntVector) piece.convertShape(VectorOperators.B2I, I, part);
    }

    /** The low bytes of {@code v}'s lanes, placed at part {@code part} of a 16-byte piece (other lanes zero). */
    static ByteVector narrow(IntVector v, int part) {
        return (ByteVector) v.convertShape(VectorOperators.I2B, BYTES16, -part);
    }

    /** A 16-byte piece of {@code a} at {@code off}. */
    static ByteVector piece(byte[] a, int off) {
        return ByteVector.fromArray(BYTES16, a, off);
    }

    /** A float vector of {@code a} at {@code off}. */
    static FloatVector floats(float[] a, int off) {
        return FloatVector.fromArray(F, a, off);
    }
}
