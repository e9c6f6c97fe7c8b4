package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecProvider;
import dev.gguflens.quant.ErrorKernel;
import dev.gguflens.quant.ref.RefCodecs;
import java.util.List;
import java.util.Optional;
import jdk.incubator.vector.VectorShape;

/**
 * The Vector API codecs at one width: Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL
 * and IQ4_XS vectorized (each producing its
 * reference twin's bits), every other type from the scalar reference; and the vectorized
 * {@link ErrorKernel}.
 *
 * <p>Create it only where the {@code jdk.incubator.vector} module is present (as
 * {@code dev.gguflens.quant.CodecSelection} checks): this package's classes cannot load without it.
 * The width is the JVM's, fixed at first use (see {@code VectorWidth}).
 */
public final class VectorCodecProvider implements CodecProvider {
    private final BlockCodec[] byId = new BlockCodec[GgmlType.COUNT];
    private final ErrorKernel errorKernel = new VectorErrorKernel();

    /** The codecs at this JVM's vector width (the CPU's preferred one unless {@code gguflens.vector.bits} forces one). */
    public VectorCodecProvider() {
        for (BlockCodec c : List.<BlockCodec>of(new Q2KVectorCodec(), new Q3KVectorCodec(),
                new Q4KVectorCodec(), new Q5KVectorCodec(), new Q6KVectorCodec(),
                new Q8_0VectorCodec(), new Q4_0VectorCodec(), new Q4_1VectorCodec(), new Q5_0VectorCodec(),
                new Q5_1VectorCodec(), new IQ4_NLVectorCodec(), new IQ4_XSVectorCodec(),
                Iq3VectorCodec.iq3xxs(), Iq3VectorCodec.iq3s())) {
            byId[c.type().id()] = c;
        }
    }

    /** The Vector API's preferred vector width on this CPU, in bits. */
    public static int preferredBits() {
        return VectorShape.preferredShape().vectorBitSize();
    }

    @Override
    public Optional<BlockCodec> codec(GgmlType type) {
        BlockCodec c = type.id() >= 0 && type.id() < byId.length ? byId[type.id()] : null;
        return Optional.ofNullable(c != null ? c : RefCodecs.get(type));
    }

    @Override
    public ErrorKernel errorKernel() {
        return errorKernel;
    }

    @Override
    public String description() {
        return "vector " + VectorWidth.SHAPE.vectorBitSize() + "-bit";
    }
}
