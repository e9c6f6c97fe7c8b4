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
 * Q5_K with the Vector API: the same bytes and floats as {@code quant.ref.Q5KCodec}
 * (reference/quantizers.md §3 Q5_K). Block of 256 values, 176 bytes: d, dmin, 12 scale bytes,
 * {@code qh[32]} (fifth bits), {@code qs[128]} (low 4 bits).
 */
final class Q5KVectorCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int BLOCK_BYTES = 176;
    private static final int QH = 16;
    private static final int QS = 48;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q5_K);
    /** Each thread's working state for unweighted calls, kept between them (see {@link KScaleMinVectorBlock}). */
    private static final ThreadLocal<KScaleMinVectorBlock> PLAIN =
            ThreadLocal.withInitial(() -> new KScaleMinVectorBlock(31, -0.5f, 15));

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
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
        // Q4_K's steps with make_qkx2_quants(32, 31, ..., -0.5f, 0.1f, 15, false)
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

    /** quantize_row_q5_K_impl with importance weights (reference/quantizers-imatrix.md §3.6), rows in one stream of blocks. */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        KScaleMinVectorBlock k = KScaleMinVectorBlock.weighted(31);
        int blocksPerRow = nPerRow / QK_K;
        int nb = nRows * blocksPerRow;
        for (int b0 = 0; b0 < nb; b0 += k.group.blocks) {
            int g = Math.min(k.group.blocks, nb - b0);
            int xo = srcOff + b0 * QK_K;
            k.group.load(src, xo, g);
            k.searchWeightedGroup(src, xo, g, b0, blocksPerRow, importance, importanceOff);
            for (int b = 0; b < g; b++) {
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                k.finishWeightedBlock(b, src, xo + b * QK_K, dst, yo, true);
                pack(k.levels, dst, yo);
            }
        }
    }

    /** Chunk c: value j's fifth bit is qh bit 2c, value j+32's is bit 2c+1 (levels are 0..31); low 4 bits as Q4_K. */
    private static void pack(byte[] L, byte[] dst, int yo) {
        for (int j = 0; j < 32; j += 16) {
            ByteVector qh = ByteVector.zero(VectorWidth.BYTES16);
            for (int c = 0; c < 4; c++) {
                ByteVector l1 = ByteVector.fromArray(VectorWidth.BYTES16, L, 64 * c + j);
                ByteVector l2 = ByteVector.fromArray(VectorWidth.BYTES16, L, 64 * c + 32 + j);
                qh = qh.or(l1.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 2 * c))
                        .or(l2.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 2 * c + 1));
                l1.and((byte) 0xF).or(l2.and((byte) 0xF).lanewise(VectorOperators.LSHL, 4))
                        .intoArray(dst, yo + QS + 32 * c + j);
            }
            qh.intoArray(dst, yo + QH + j);
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
                float d1 = d * KScaleMin6.scale(src, s, 2 * c);
                float m1 = min * KScaleMin6.min(src, s, 2 * c);
                float d2 = d * KScaleMin6.scale(src, s, 2 * c + 1);
                float m2 = min * KScaleMin6.min(src, s, 2 * c + 1);
                for (int l = 0; l < 32; l += 16) {
                    ByteVector q = ByteVector.fromArray(VectorWidth.BYTES16, src, xo + QS + 32 * c + l);
                    ByteVector h = ByteVector.fromArray(VectorWidth.BYTES16, src, xo + QH + l);
                    for (int p = 0; p < parts; p++) {
                        IntVector qi = VectorWidth.widen(q, p);
                        IntVector hi = VectorWidth.widen(h, p);
                        // (qs & 0xF) + (qh & u1 ? 16 : 0): the qh bit moved to value 16
                        IntVector q1 = qi.and(0xF).add(hi.lanewise(VectorOperators.LSHR, 2 * c).and(1).lanewise(VectorOperators.LSHL, 4));
                        IntVector q2 = qi.lanewise(VectorOperators.LSHR, 4).and(0xF)
                                .add(hi.lanewise(VectorOperators.LSHR, 2 * c + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                        FloatVector.broadcast(sp, d1).mul((FloatVector) q1.convert(VectorOperators.I2F, 0)).sub(m1)
                                .intoArray(dst, out + 64 * c + l + p * lanes);
                        FloatVector.broadcast(sp, d2).mul((FloatVector) q2.convert(VectorOperators.I2F, 0)).sub(m2)
                                .intoArray(dst, out + 64 * c + 32 + l + p * lanes);
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
