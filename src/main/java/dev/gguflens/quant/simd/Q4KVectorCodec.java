package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.ref.KScaleMin6;
import dev.gguflens.quant.ref.QuantMath;
import dev.gguflens.quant.ref.RefCodecs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_K with the Vector API: the same bytes and floats as {@code quant.ref.Q4KCodec}
 * (reference/quantizers.md §3 Q4_K). Block of 256 values, 144 bytes: d, dmin, 12 scale bytes, 128 bytes
 * of 4-bit codes.
 */
final class Q4KVectorCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int BLOCK_BYTES = 144;
    private static final int QS = 16;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q4_K);
    /** Each thread's working state for unweighted calls, kept between them (see {@link KScaleMinVectorBlock}). */
    private static final ThreadLocal<KScaleMinVectorBlock> PLAIN =
            ThreadLocal.withInitial(() -> new KScaleMinVectorBlock(15, -1.0f, 20));

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        encode(src, srcOff, dst, dstOff, null, 0, n);
    }

    /** In one pass: the levels {@code requantize} computes are those the bytes hold (see {@link KScaleMinVectorBlock#finishBlock}). */
    @Override
    public void quantizeAndDecode(float[] src, int srcOff, byte[] dst, int dstOff, float[] decoded, int decodedOff, int n) {
        encode(src, srcOff, dst, dstOff, decoded, decodedOff, n);
    }

    /** {@link #quantize}, and where {@code decoded} is not null the values the bytes decode to. */
    private static void encode(float[] src, int srcOff, byte[] dst, int dstOff, float[] decoded, int decodedOff, int n) {
        // make_qkx2_quants(32, 15, ..., -1.0f, 0.1f, 20, false) per sub-block
        KScaleMinVectorBlock k = PLAIN.get();
        int nb = n / QK_K;
        for (int b0 = 0; b0 < nb; b0 += k.group.blocks) {
            int g = Math.min(k.group.blocks, nb - b0);
            k.group.load(src, srcOff + b0 * QK_K, g);
            k.searchGroup();
            for (int b = 0; b < g; b++) {
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                k.finishBlock(b, src, srcOff + (b0 + b) * QK_K, dst, yo, decoded, decodedOff + (b0 + b) * QK_K);
                pack(k.levels, dst, yo);
            }
        }
    }

    /** quantize_row_q4_K_impl with importance weights (reference/quantizers-imatrix.md §3.5), rows in one stream of blocks. */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        KScaleMinVectorBlock k = KScaleMinVectorBlock.weighted(15);
        int blocksPerRow = nPerRow / QK_K;
        int nb = nRows * blocksPerRow;
        for (int b0 = 0; b0 < nb; b0 += k.group.blocks) {
            int g = Math.min(k.group.blocks, nb - b0);
            int xo = srcOff + b0 * QK_K;
            k.group.load(src, xo, g);
            k.searchWeightedGroup(src, xo, g, b0, blocksPerRow, importance, importanceOff);
            for (int b = 0; b < g; b++) {
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                k.finishWeightedBlock(b, src, xo + b * QK_K, dst, yo, false);
                pack(k.levels, dst, yo);
            }
        }
    }

    /** Step 4: per 64-value chunk, value l in the low nibble and value l+32 in the high nibble. */
    private static void pack(byte[] L, byte[] dst, int yo) {
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l += 16) {
                ByteVector lo = ByteVector.fromArray(VectorWidth.BYTES16, L, 64 * c + l);
                ByteVector hi = ByteVector.fromArray(VectorWidth.BYTES16, L, 64 * c + 32 + l);
                lo.or(hi.lanewise(VectorOperators.LSHL, 4)).intoArray(dst, yo + QS + 32 * c + l);
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        VectorSpecies<Float> sp = VectorWidth.F;
        int lanes = VectorWidth.LANES;
        int parts = VectorWidth.PARTS;
        for (int b = 0; b < n / QK_K; b++) {
            int xo = srcOff + b * BLOCK_BYTES;
            int out = dstOff + b * QK_K;
            float d = QuantMath.f16(src, xo + KScaleMinVectorBlock.D);
            float min = QuantMath.f16(src, xo + KScaleMinVectorBlock.DMIN);
            int s = xo + KScaleMinVectorBlock.SCALES;
            for (int c = 0; c < 4; c++) {
                // d*sc and dmin*m are each rounded once, then dl*q - ml
                float d1 = d * KScaleMin6.scale(src, s, 2 * c);
                float m1 = min * KScaleMin6.min(src, s, 2 * c);
                float d2 = d * KScaleMin6.scale(src, s, 2 * c + 1);
                float m2 = min * KScaleMin6.min(src, s, 2 * c + 1);
                for (int l = 0; l < 32; l += 16) {
                    ByteVector q = ByteVector.fromArray(VectorWidth.BYTES16, src, xo + QS + 32 * c + l);
                    for (int p = 0; p < parts; p++) {
                        IntVector qi = VectorWidth.widen(q, p);
                        FloatVector lo = (FloatVector) qi.and(0xF).convert(VectorOperators.I2F, 0);
                        FloatVector hi = (FloatVector) qi.lanewise(VectorOperators.LSHR, 4).and(0xF).convert(VectorOperators.I2F, 0);
                        FloatVector.broadcast(sp, d1).mul(lo).sub(m1).intoArray(dst, out + 64 * c + l + p * lanes);
                        FloatVector.broadcast(sp, d2).mul(hi).sub(m2).intoArray(dst, out + 64 * c + 32 + l + p * lanes);
                    }
                }
            }
        }
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return reference.firstInvalidBlock(data, off, nBlocks);
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                     float[] importance, int importanceOff) {
        quantizeWeighted(src, srcOff, dst, dstOff, nRows, nPerRow, importance, importanceOff);
    }
}
