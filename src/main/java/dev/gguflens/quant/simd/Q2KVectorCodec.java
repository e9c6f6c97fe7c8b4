package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.QuantMath;
import dev.gguflens.quant.ref.RefCodecs;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q2_K with the Vector API: the same bytes and floats as {@code quant.ref.Q2KCodec}
 * (reference/quantizers.md §3 Q2_K). Block of 256 values, 84 bytes: {@code u8 scales[16]} (scale low
 * nibble, min high nibble), {@code u8 qs[64]} (2-bit codes), {@code fp16 d}, {@code fp16 dmin}.
 */
final class Q2KVectorCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int SUB = 16;
    private static final int BLOCK_BYTES = 84;
    private static final int SCALES = 0;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q2_K);

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        Scratch s = PLAIN.get();
        SubBlocks group = s.group;
        float[] weights = s.weights;
        ScaleMinSearch search = s.search;
        byte[] levels = s.levels;
        int nb = n / QK_K;
        for (int b0 = 0; b0 < nb; b0 += group.blocks) {
            int g = Math.min(group.blocks, nb - b0);
            group.load(src, srcOff + b0 * QK_K, g);
            // step 1: weights |x| (element-wise, so the transposed layout needs no care)
            for (int i = 0; i < weights.length; i += VectorWidth.LANES) {
                VectorWidth.floats(group.x, i).abs().intoArray(weights, i);
            }
            for (int s0 = 0; s0 < group.count; s0 += 2 * VectorWidth.LANES) {
                search.run(group.x, weights, group.count, s0);
            }
            for (int b = 0; b < g; b++) {
                int xo = srcOff + (b0 + b) * QK_K;
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                finishBlock(search, b * group.perBlock, src, xo, dst, yo, levels);
            }
        }
    }

    /**
     * One thread's working state for unweighted {@code quantize} calls, kept between them (as Q4_K's, see
     * {@link KScaleMinVectorBlock}): each call writes every field before it reads it.
     */
    private static final class Scratch {
        final SubBlocks group = new SubBlocks(SUB, QK_K / SUB, 2);
        final float[] weights = new float[group.x.length];
        // make_qkx2_quants(16, 3, x, |x|, ..., -0.5f, 0.1f, 15, true) per 16-value sub-block
        final ScaleMinSearch search = new ScaleMinSearch(group.count, SUB, 3, -0.5f, 0.1f, 15, true);
        final byte[] levels = new byte[QK_K];
    }

    private static final ThreadLocal<Scratch> PLAIN = ThreadLocal.withInitial(Scratch::new);

    /** Steps 2–5 for one block whose search results start at sub-block {@code first}. */
    private static void finishBlock(ScaleMinSearch search, int first, float[] x, int xo, byte[] y, int yo, byte[] L) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < QK_K / SUB; j++) {
            if (search.scale[first + j] > maxScale) {
                maxScale = search.scale[first + j];
            }
            if (search.theMin[first + j] > maxMin) {
                maxMin = search.theMin[first + j];
            }
        }
        // step 2: 4-bit scales against d = max_scale/15 (the byte keeps NI's low 8 bits, as C's uint8 store)
        if (maxScale > 0) {
            float iscale = 15.0f / maxScale;
            for (int j = 0; j < QK_K / SUB; j++) {
                y[yo + SCALES + j] = (byte) QuantMath.nearestInt(iscale * search.scale[first + j]);
            }
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(maxScale / 15.0f));
        } else {
            for (int j = 0; j < QK_K / SUB; j++) {
                y[yo + SCALES + j] = 0;
            }
            QuantMath.putU16(y, yo + D, Fp16.fromFloat(0.0f));
        }
        // step 3: 4-bit mins in the high nibbles
        if (maxMin > 0) {
            float iscale = 15.0f / maxMin;
            for (int j = 0; j < QK_K / SUB; j++) {
                y[yo + SCALES + j] |= (byte) (QuantMath.nearestInt(iscale * search.theMin[first + j]) << 4);
            }
            QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(maxMin / 15.0f));
        } else {
            QuantMath.putU16(y, yo + DMIN, Fp16.fromFloat(0.0f));
        }
        requantizeAndPack(search.levelScale, search.levelMin, first, x, xo, y, yo, L);
    }

    /**
     * quantize_row_q2_K_impl with importance weights (reference/quantizers-imatrix.md §3.3), rows in one
     * stream of blocks: make_qkx3_quants(16, 3, x, qw·sqrtf(sigma2 + x²), ..., -0.9f, 0.05f, 36, false)
     * per sub-block ({@link Q2KWeightedSearch}, which skips the candidates that cannot change the levels),
     * then make_qp_quants(16, 15, ·, sw) for the scales and the mins ({@link QpSearch}).
     */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        // a group of one block per lane, so that make_qp_quants runs on whole vectors of blocks
        SubBlocks group = new SubBlocks(SUB, QK_K / SUB, QK_K / SUB);
        BlockWeights weights = new BlockWeights(group, BlockWeights.Formula.SIGMA_SUM);
        Q2KWeightedSearch search = new Q2KWeightedSearch(group.count);
        SubBlocks blockScales = new SubBlocks(QK_K / SUB, 1, 1);
        SubBlocks blockMins = blockScales.sameShape();
        SubBlocks blockWeightSums = blockScales.sameShape();
        QpSearch scaleFit = new QpSearch(QK_K / SUB, 15);
        QpSearch minFit = new QpSearch(QK_K / SUB, 15);
        byte[] levels = new byte[QK_K];
        int lanes = VectorWidth.LANES;
        int blocksPerRow = nPerRow / QK_K;
        int nb = nRows * blocksPerRow;
        for (int b0 = 0; b0 < nb; b0 += group.blocks) {
            int g = Math.min(group.blocks, nb - b0);
            int xo = srcOff + b0 * QK_K;
            group.load(src, xo, g);
            weights.compute(src, xo, g, b0, blocksPerRow, importance, importanceOff);
            search.run(group.x, weights.transposed, group.count);
            // step 3: make_qp_quants(16, 15, scales, Ls, sw) and (16, 15, mins, Lm, sw), one block per lane
            blockScales.load(search.scale, 0, g);
            blockMins.load(search.theMin, 0, g);
            blockWeightSums.load(weights.subSums, 0, g);
            scaleFit.run(blockScales.x, blockWeightSums.x);
            minFit.run(blockMins.x, blockWeightSums.x);
            for (int b = 0; b < g; b++) {
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                // step 4: d, dmin and the scale bytes; the byte keeps the low 8 bits (uint8 arithmetic)
                QuantMath.putU16(dst, yo + D, Fp16.fromFloat(scaleFit.scale[b]));
                QuantMath.putU16(dst, yo + DMIN, Fp16.fromFloat(minFit.scale[b]));
                for (int j = 0; j < QK_K / SUB; j++) {
                    dst[yo + SCALES + j] = (byte) (scaleFit.levels[j * lanes + b] | minFit.levels[j * lanes + b] << 4);
                }
                requantizeAndPack(search.levelScale, search.levelMin, b * group.perBlock, src, xo + b * QK_K, dst, yo, levels);
            }
        }
    }

    /** Steps 4–5 (weighted: 5–6): the levels with the stored scales and mins, then the 2-bit packing. */
    private static void requantizeAndPack(float[] levelScale, float[] levelMin, int first, float[] x, int xo, byte[] y, int yo,
                                          byte[] L) {
        // re-quantize with the stored scales; a zero scale keeps the search's levels
        float d = QuantMath.f16(y, yo + D);
        float dmin = QuantMath.f16(y, yo + DMIN);
        for (int j = 0; j < QK_K / SUB; j++) {
            int sc = y[yo + SCALES + j] & 0xFF;
            float dd = d * (sc & 0xF);
            if (dd == 0) {
                Levels.scaledFromMin(x, xo + SUB * j, SUB, levelScale[first + j], levelMin[first + j], 0, 3, L, SUB * j);
            } else {
                float dm = dmin * (sc >> 4);
                Levels.shiftedDivided(x, xo + SUB * j, SUB, dm, dd, 0, 3, L, SUB * j);
            }
        }
        // four 2-bit codes per byte, from values l, l+32, l+64, l+96 of each 128-value half
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l += 16) {
                int j = 128 * h + l;
                VectorWidth.piece(L, j)
                        .or(VectorWidth.piece(L, j + 32).lanewise(VectorOperators.LSHL, 2))
                        .or(VectorWidth.piece(L, j + 64).lanewise(VectorOperators.LSHL, 4))
                        .or(VectorWidth.piece(L, j + 96).lanewise(VectorOperators.LSHL, 6))
                        .intoArray(y, yo + QS + 32 * h + l);
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        VectorSpecies<Float> sp = VectorWidth.F;
        for (int b = 0; b < n / QK_K; b++) {
            int xo = srcOff + b * BLOCK_BYTES;
            int out = dstOff + b * QK_K;
            float d = QuantMath.f16(src, xo + D);
            float min = QuantMath.f16(src, xo + DMIN);
            int is = 0;
            for (int h = 0; h < 2; h++) {
                for (int j = 0, shift = 0; j < 4; j++, shift += 2) {
                    for (int half = 0; half < 2; half++) {
                        int sc = src[xo + SCALES + is++] & 0xFF;
                        float dl = d * (sc & 0xF);
                        float ml = min * (sc >> 4);
                        ByteVector q = VectorWidth.piece(src, xo + QS + 32 * h + 16 * half);
                        for (int p = 0; p < VectorWidth.PARTS; p++) {
                            IntVector v = VectorWidth.widen(q, p).lanewise(VectorOperators.LSHR, shift).and(3);
                            FloatVector.broadcast(sp, dl).mul(VectorWidth.toFloats(v)).sub(ml)
                                    .intoArray(dst, out + p * VectorWidth.LANES);
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
