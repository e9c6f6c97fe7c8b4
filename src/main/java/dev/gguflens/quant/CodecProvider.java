package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;
import java.util.Optional;

/**
 * One implementation of the whole codec table: the scalar reference, or a vectorized set whose codecs
 * produce the same bits (types without a vectorized twin come from the reference), with the
 * {@link ErrorKernel} that measures round trips alongside them.
 */
public interface CodecProvider {

    /** The codec for {@code type}, or empty when gguflens cannot decode it. */
    Optional<BlockCodec> codec(GgmlType type);

    /** The error kernel of this implementation (every one gives the same doubles: see {@link ErrorKernel}). */
    ErrorKernel errorKernel();

    /** What this implementation is, for diagnostics (e.g. {@code scalar}, {@code vector 512-bit}). */
    String description();
}
