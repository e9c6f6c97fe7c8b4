package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.ref.RefCodecs;
import java.util.Optional;

/**
 * The one entry point to the block codecs: callers ask for a type and get the fastest implementation
 * available, never knowing which. The scalar ports in {@code quant.ref} are the specification;
 * vectorized twins in {@code quant.simd} must produce the same bits.
 */
public final class Codecs {
    private Codecs() {
    }

    /** The codec for {@code type}, or empty when gguflens cannot decode it. */
    public static Optional<BlockCodec> forType(GgmlType type) {
        return reference(type);
    }

    /** The scalar reference codec for {@code type} (the bit-exact port, used by differential tests). */
    public static Optional<BlockCodec> reference(GgmlType type) {
        return Optional.ofNullable(RefCodecs.get(type));
    }
}
