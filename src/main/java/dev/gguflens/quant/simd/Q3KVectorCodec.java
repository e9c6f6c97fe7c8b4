package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.QuantMath;
import dev.gguflens.quant.ref.RefCodecs;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q3_K with the Vector API: the same bytes and floats as {@code quant.ref.Q3KCodec}
 * (reference/quantizers.md §3 Q3_K). Block of 256 values, 110 bytes: {@code u8 hmask[32]} (third bit of
 * each code), {@code u8 qs[64]} (low 2 bits), {@code u8 scales[12]} (sixteen 6-bit signed scales),
 * {@code fp16 d}.
 */
final class Q3KVectorCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int SUB = 16;
    private static final int BLOCK_BYTES = 110;
    private static final int HMASK = 0;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q3_K);

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        Scratch s = PLAIN.get();
        SubBlocks group = s.group;
        Q3Search search = s.search;
        byte[] levels = s.levels;
        int nb = n / QK_K;
        for (int b0 = 0; b0 < nb; b0 += group.blocks) {
            int g = Math.min(group.blocks, nb - b0);
            group.load(src, srcOff + b0 * QK_K, g);
            for (int s0 = 0; s0 < group.count; s0 += 2 * VectorWidth.LANES) {
                search.run(group.x, group.count, s0);
            }
            for (int b = 0; b < g; b++) {
                int xo = srcOff + (b0 + b) * QK_K;
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                finishBlock(search, group.count, b * group.perBlock, src, xo, dst, yo, levels);
            }
        }
    }

    /**
     * One thread's working state for unweighted {@code quantize} calls, kept between them (as Q4_K's, see
     * {@link KScaleMinVectorBlock}): each call writes every field before it reads it.
     */
    private static final class Scratch {
        final SubBlocks group = new SubBlocks(SUB, QK_K / SUB, 2);
        // make_q3_quants(16, 4, x, L, true) per sub-block
        final Q3Search search = new Q3Search(group.count, SUB, 4);
        final byte[] levels = new byte[QK_K];
    }

    private static final ThreadLocal<Scratch> PLAIN = ThreadLocal.withInitial(Scratch::new);

    /** Steps 1 (the scale maximum) to 5 for one block whose search results start at sub-block {@code first}. */
    private static void finishBlock(Q3Search search, int stride, int first, float[] x, int xo, byte[] y, int yo, byte[] L) {
        // step 1: max_scale is the first of largest magnitude, sign kept
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < QK_K / SUB; j++) {
            float scale = Math.abs(search.scale[first + j]);
            if (scale > amax) {
                amax = scale;
                maxScale = search.scale[first + j];
            }
        }
        // step 2: 6-bit scales (offset 32) against d = -max_scale/32
        for (int k = 0; k < 12; k++) {
            y[yo + SCALES + k] = 0;
        }
        if (maxScale != 0) {
            float iscale = -32.0f / maxScale;
            for (int j = 0; j < QK_K / SUB; j++) {
                int l = (byte) QuantMath.nearestInt(iscale * search.scale[first + j]); // C's int8_t store
                l = Math.clamp(l, -32, 31) + 32;
                if (j < 8) {
                    y[yo + SCALES + j] = (byte) (l & 0xF);
                } else {
                    y[yo + SCALES + j - 8] |= (byte) ((l & 0xF) << 4);
                }
                y[yo + SCALES + 8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
            }
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(1 / iscale));
        } else {
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(0.0f));
        }
        // step 3: re-quantize with the stored scales; a zero scale keeps make_q3_quants' levels
        float d = QuantMath.f16(y, yo + D);
        for (int j = 0; j < QK_K / SUB; j++) {
            float dd = d * scale(y, yo, j);
            if (dd == 0) {
                for (int i = 0; i < SUB; i++) {
                    L[SUB * j + i] = (byte) search.levels[i * stride + first + j];
                }
            } else {
                Levels.divided(x, xo + SUB * j, SUB, dd, -4, 3, 4, L, SUB * j);
            }
        }
        pack(L, y, yo);
    }

    /**
     * quantize_row_q3_K_impl with importance weights (reference/quantizers-imatrix.md §3.4), rows in one
     * stream of blocks: make_qx_quants(16, 4, x, L, 1, w) per sub-block with {@code w = qw·sqrtf(sigma2 + x²)},
     * then make_qx_quants(16, 32, scales, Ls, 1, sw) on each block's 16 scales. A group holds one block per
     * lane, so that second search also runs a vector of blocks at once.
     */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        SubBlocks group = new SubBlocks(SUB, QK_K / SUB, QK_K / SUB);
        BlockWeights weights = new BlockWeights(group, BlockWeights.Formula.SIGMA_TWICE_SUM);
        SymmetricSearch search = new SymmetricSearch(group.count, SUB, 4);
        // the blocks' scales and their weights sw, transposed: element j of block b at j·blocks + b
        SubBlocks scales = new SubBlocks(QK_K / SUB, 1, 1);
        SubBlocks scaleWeights = scales.sameShape();
        SymmetricSearch scaleSearch = new SymmetricSearch(scales.count, QK_K / SUB, 32);
        byte[] levels = new byte[QK_K];
        int blocksPerRow = nPerRow / QK_K;
        int nb = nRows * blocksPerRow;
        for (int b0 = 0; b0 < nb; b0 += group.blocks) {
            int g = Math.min(group.blocks, nb - b0);
            int xo = srcOff + b0 * QK_K;
            group.load(src, xo, g);
            weights.compute(src, xo, g, b0, blocksPerRow, importance, importanceOff);
            for (int s0 = 0; s0 < group.count; s0 += VectorWidth.LANES) {
                search.runWeighted(group.x, weights.transposed, group.count, s0);
            }
            scales.load(search.scale, 0, g);
            scaleWeights.load(weights.subSums, 0, g);
            scaleSearch.runWeighted(scales.x, scaleWeights.x, scales.count, 0);
            for (int b = 0; b < g; b++) {
                finishWeightedBlock(search, scaleSearch, b, src, xo + b * QK_K, dst, dstOff + (b0 + b) * BLOCK_BYTES, levels);
            }
        }
    }

    /** Weighted steps 4–6 for block {@code b} of the group: the 6-bit scales from the scale search, d, the levels, the packing. */
    private static void finishWeightedBlock(SymmetricSearch search, SymmetricSearch scaleSearch, int b, float[] x, int xo,
                                            byte[] y, int yo, byte[] L) {
        int first = b * (QK_K / SUB);
        // step 4: Ls = 32 + clamp(NI(iscale·scale), -32, 31) with the winning iscale, all 0 for a zero group
        boolean zero = scaleSearch.zeroGroup(b);
        float iscale = scaleSearch.levelScale[b];
        for (int k = 0; k < 12; k++) {
            y[yo + SCALES + k] = 0;
        }
        for (int j = 0; j < QK_K / SUB; j++) {
            int l = zero ? 0 : 32 + Math.clamp(QuantMath.nearestInt(iscale * search.scale[first + j]), -32, 31);
            if (j < 8) {
                y[yo + SCALES + j] = (byte) (l & 0xF);
            } else {
                y[yo + SCALES + j - 8] |= (byte) ((l & 0xF) << 4);
            }
            y[yo + SCALES + 8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
        }
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(scaleSearch.scale[b]));
        // step 5: re-quantize with the stored scales; a zero scale keeps make_qx_quants' levels
        float d = QuantMath.f16(y, yo + D);
        for (int j = 0; j < QK_K / SUB; j++) {
            float dd = d * scale(y, yo, j);
            int s = first + j;
            if (dd != 0) {
                Levels.divided(x, xo + SUB * j, SUB, dd, -4, 3, 4, L, SUB * j);
            } else if (search.zeroGroup(s)) {
                Arrays.fill(L, SUB * j, SUB * (j + 1), (byte) 0);
            } else {
                Levels.scaled(x, xo + SUB * j, SUB, search.levelScale[s], -4, 3, 4, L, SUB * j);
            }
        }
        pack(L, y, yo);
    }

    /** Steps 4–5 (weighted: 6): hmask from the third bit of each level (0..7), qs from the low two. */
    private static void pack(byte[] L, byte[] y, int yo) {
        // the third bit of value k goes to hmask[k % 32], bit k / 32
        for (int k = 0; k < 32; k += 16) {
            ByteVector hm = ByteVector.zero(VectorWidth.BYTES16);
            for (int b = 0; b < 8; b++) {
                hm = hm.or(VectorWidth.piece(L, 32 * b + k).lanewise(VectorOperators.LSHR, 2).lanewise(VectorOperators.LSHL, b));
            }
            hm.intoArray(y, yo + HMASK + k);
        }
        // the low 2 bits packed as Q2_K
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l += 16) {
                int j = 128 * h + l;
                VectorWidth.piece(L, j).and((byte) 3)
                        .or(VectorWidth.piece(L, j + 32).and((byte) 3).lanewise(VectorOperators.LSHL, 2))
                        .or(VectorWidth.piece(L, j + 64).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                        .or(VectorWidth.piece(L, j + 96).and((byte) 3).lanewise(VectorOperators.LSHL, 6))
                        .intoArray(y, yo + QS + 32 * h + l);
            }
        }
    }

    /** The signed scale (-32..31) of sub-block {@code j} of the block at {@code xo}. */
    private static int scale(byte[] x, int xo, int j) {
        int low4 = j < 8 ? x[xo + SCALES + j] & 0xF : (x[xo + SCALES + j - 8] & 0xFF) >> 4;
        int high2 = ((x[xo + SCALES + 8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3;
        return (low4 | high2 << 4) - 32;
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        VectorSpecies<Float> sp = VectorWidth.F;
        for (int b = 0; b < n / QK_K; b++) {
            int xo = srcOff + b * BLOCK_BYTES;
            int out = dstOff + b * QK_K;
            float dAll = QuantMath.f16(src, xo + D);
            int is = 0;
            for (int h = 0; h < 2; h++) {
                for (int j = 0, shift = 0; j < 4; j++, shift += 2) {
                    int bit = 4 * h + j;
                    for (int half = 0; half < 2; half++) {
                        float dl = dAll * scale(src, xo, is++);
                        ByteVector q = VectorWidth.piece(src, xo + QS + 32 * h + 16 * half);
                        ByteVector hm = VectorWidth.piece(src, xo + HMASK + 16 * half);
                        for (int p = 0; p < VectorWidth.PARTS; p++) {
                            // q2 - (hmask bit ? 0 : 4), as the integer q2 - 4 + 4·bit
                            IntVector q2 = VectorWidth.widen(q, p).lanewise(VectorOperators.LSHR, shift).and(3);
                            IntVector high = VectorWidth.widen(hm, p).lanewise(VectorOperators.LSHR, bit).and(1);
                            IntVector v = q2.sub(4).add(high.lanewise(VectorOperators.LSHL, 2));
                            FloatVector.broadcast(sp, dl).mul(VectorWidth.toFloats(v)).intoArray(dst, out + p * VectorWidth.LANES);
                        }
                        out += 16;
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
