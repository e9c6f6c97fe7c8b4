package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.QuantMath;
import dev.gguflens.quant.ref.RefCodecs;

/**
 * IQ4_NL with the Vector API: the same bytes as {@code quant.ref.IQ4_NLCodec} ({@code quantize_row_iq4_nl_impl}
 * with ntry = 7, quantizers.md §3 "IQ4_NL"), LANES blocks at a time, one per lane ({@link Iq4Search}).
 * Block of 32 values, 18 bytes: {@code fp16 d}, {@code u8 qs[16]}. Decoding is the reference's.
 */
final class IQ4_NLVectorCodec implements BlockCodec {
    private static final int QK = Iq4Search.BLOCK;
    private static final int BYTES = 18;

    /** Each thread's working state (see {@link Iq4Search.Scratch}). */
    private static final ThreadLocal<Iq4Search.Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Iq4Search.Scratch(1));

    private final BlockCodec reference = RefCodecs.get(GgmlType.IQ4_NL);

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        Iq4Search.Scratch scratch = SCRATCH.get().reset();
        SubBlocks g = scratch.group;
        float[] scales = scratch.scales;
        float[] ids = scratch.ids;
        int[] packed = scratch.packed;
        int nb = n / QK;
        for (int b0 = 0; b0 < nb; b0 += g.blocks) {
            int blocks = Math.min(g.blocks, nb - b0);
            g.load(src, srcOff + b0 * QK, blocks);
            for (int s0 = 0; s0 < g.count; s0 += VectorWidth.LANES) {
                Iq4Search.scales(g, s0, scales);
            }
            for (int b = 0; b < blocks; b++) {
                // the block is re-quantized with its unrounded scale
                QuantMath.putU16(dst, dstOff + (b0 + b) * BYTES, Fp16.fromFloat(scales[b]));
                ids[b] = scales[b] != 0 ? 1 / scales[b] : 0.0f;
            }
            for (int s0 = 0; s0 < g.count; s0 += VectorWidth.LANES) {
                Iq4Search.pack(g, s0, ids, packed);
                for (int s = s0; s < Math.min(blocks, s0 + VectorWidth.LANES); s++) {
                    int qs = dstOff + (b0 + s) * BYTES + 2;
                    for (int j = 0; j < QK / 2; j++) {
                        dst[qs + j] = (byte) packed[j * VectorWidth.LANES + s - s0];
                    }
                }
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        reference.dequantize(src, srcOff, dst, dstOff, n);
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return reference.firstInvalidBlock(data, off, nBlocks);
    }

    @Override
    public ImportanceUse importanceUse() {
        return reference.importanceUse();
    }

    /** Weighted rows go to the reference encoder: the vectorized search is the unweighted one. */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                     float[] importance, int importanceOff) {
        reference.quantizeWeightedRows(src, srcOff, dst, dstOff, nRows, nPerRow, importance, importanceOff);
    }
}
