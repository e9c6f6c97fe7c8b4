package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.ref.RefCodecs;
import dev.gguflens.quant.ref.ScalarErrorKernel;
import java.util.Optional;

/** The scalar reference codecs of {@code quant.ref}: the specification, and the fallback without the Vector API. */
final class ScalarCodecProvider implements CodecProvider {
    private final ErrorKernel errorKernel = new ScalarErrorKernel();

    @Override
    public Optional<BlockCodec> codec(GgmlType type) {
        return Optional.ofNullable(RefCodecs.get(type));
    }

    @Override
    public ErrorKernel errorKernel() {
        return errorKernel;
    }

    @Override
    public String description() {
        return "scalar";
    }
}
