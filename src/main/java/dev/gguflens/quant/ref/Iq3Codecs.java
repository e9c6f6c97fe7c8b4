package dev.gguflens.quant.ref;

import dev.gguflens.quant.BlockCodec;
import java.util.function.Function;

/**
 * The IQ3_XXS and IQ3_S encoders with another scan of the grid's neighbour lists ({@code quant.simd} supplies
 * a vectorized one): every other step is the reference's, so the bytes are the reference's as long as the
 * scan keeps {@link Iq3NeighbourSearch}'s contract.
 */
public final class Iq3Codecs {
    private Iq3Codecs() {
    }

    /** IQ3_XXS whose encoders scan the lists with a search made by {@code searches} (one per encoder). */
    public static BlockCodec iq3xxs(Function<Iq3Lists, Iq3NeighbourSearch> searches) {
        return new Iq3XxsCodec(searches);
    }

    /** IQ3_S whose encoders scan the lists with a search made by {@code searches} (one per quantize call). */
    public static BlockCodec iq3s(Function<Iq3Lists, Iq3NeighbourSearch> searches) {
        return new Iq3SCodec(searches);
    }
}
