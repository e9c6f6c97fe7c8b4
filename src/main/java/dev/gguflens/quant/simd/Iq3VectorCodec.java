package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.ref.Iq3Codecs;
import dev.gguflens.quant.ref.Iq3Lists;
import java.util.function.Function;

/**
 * IQ3_XXS and IQ3_S with their neighbour-list scans vectorized ({@link Iq3VectorSearch}): the reference
 * encoders ({@code quant.ref.Iq3XxsCodec}, weighted only, and {@code quant.ref.Iq3SCodec}) with that one step
 * replaced, so the same bytes. Decoding and validation are the reference's.
 */
final class Iq3VectorCodec implements BlockCodec {
    private final BlockCodec codec;
    /** The grid's entry positions by coordinate, made on first use (a race only makes them twice). */
    private volatile float[][] positions;

    private Iq3VectorCodec(Function<Function<Iq3Lists, ? extends Iq3VectorSearch>, BlockCodec> make) {
        this.codec = make.apply(this::search);
    }

    /** IQ3_XXS. */
    static Iq3VectorCodec iq3xxs() {
        return new Iq3VectorCodec(s -> Iq3Codecs.iq3xxs(s::apply));
    }

    /** IQ3_S. */
    static Iq3VectorCodec iq3s() {
        return new Iq3VectorCodec(s -> Iq3Codecs.iq3s(s::apply));
    }

    private Iq3VectorSearch search(Iq3Lists lists) {
        float[][] p = positions;
        if (p == null) {
            positions = p = Iq3VectorSearch.positionsOf(lists);
        }
        return new Iq3VectorSearch(p);
    }

    @Override
    public GgmlType type() {
        return codec.type();
    }

    @Override
    public boolean canQuantize() {
        return codec.canQuantize();
    }

    @Override
    public ImportanceUse importanceUse() {
        return codec.importanceUse();
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        codec.quantize(src, srcOff, dst, dstOff, n);
    }

    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                     float[] qw, int qwOff) {
        codec.quantizeWeightedRows(src, srcOff, dst, dstOff, nRows, nPerRow, qw, qwOff);
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        codec.dequantize(src, srcOff, dst, dstOff, n);
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return codec.firstInvalidBlock(data, off, nBlocks);
    }
}
