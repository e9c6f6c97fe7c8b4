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
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q6_K with the Vector API: the same bytes and floats as {@code quant.ref.Q6KCodec}
 * (reference/quantizers.md §3 Q6_K). Block of 256 values, 210 bytes: {@code u8 ql[128]} (low 4 bits),
 * {@code u8 qh[64]} (high 2 bits), {@code int8 scales[16]}, {@code fp16 d}.
 */
final class Q6KVectorCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int SUB = 16;
    private static final int BLOCK_BYTES = 210;
    private static final int QL = 0;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q6_K);

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        encode(src, srcOff, dst, dstOff, null, 0, n);
    }

    /** In one pass: the block's levels and stored scales are at hand once it is encoded ({@link #decode}). */
    @Override
    public void quantizeAndDecode(float[] src, int srcOff, byte[] dst, int dstOff, float[] decoded, int decodedOff, int n) {
        encode(src, srcOff, dst, dstOff, decoded, decodedOff, n);
    }

    /** {@link #quantize}, and where {@code decoded} is not null the values the bytes decode to. */
    private static void encode(float[] src, int srcOff, byte[] dst, int dstOff, float[] decoded, int decodedOff, int n) {
        // make_qx_quants(16, 32, x, L, 1, NULL) per sub-block
        Scratch s = PLAIN.get();
        SubBlocks group = s.group;
        SymmetricSearch search = s.search;
        LevelFormula formula = s.formula;
        int[] levels = s.levels;
        int nb = n / QK_K;
        for (int b0 = 0; b0 < nb; b0 += group.blocks) {
            int g = Math.min(group.blocks, nb - b0);
            group.load(src, srcOff + b0 * QK_K, g);
            for (int s0 = 0; s0 < group.count; s0 += VectorWidth.LANES) {
                search.run(group.x, group.count, s0);
            }
            for (int b = 0; b < g; b++) {
                int xo = srcOff + (b0 + b) * QK_K;
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                boolean written = scales(search, b * group.perBlock, dst, yo, formula);
                if (written) {
                    levels(src, xo, formula, levels);
                    pack(levels, dst, yo);
                }
                if (decoded != null) {
                    decode(written ? levels : null, dst, yo, decoded, decodedOff + (b0 + b) * QK_K);
                }
            }
        }
    }

    /**
     * quantize_row_q6_K_impl with importance weights (reference/quantizers-imatrix.md §3.7), rows in one
     * stream of blocks: make_qx_quants(16, 32, x, L, 1, qw) with the raw importance values as weights, then
     * the same steps as without them.
     */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        SubBlocks group = new SubBlocks(SUB, QK_K / SUB, 1);
        BlockWeights weights = new BlockWeights(group, BlockWeights.Formula.RAW);
        SymmetricSearch search = new SymmetricSearch(group.count, SUB, 32);
        LevelFormula formula = new LevelFormula();
        int[] levels = new int[QK_K];
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
            for (int b = 0; b < g; b++) {
                int yo = dstOff + (b0 + b) * BLOCK_BYTES;
                if (scales(search, b * group.perBlock, dst, yo, formula)) {
                    levels(src, xo + b * QK_K, formula, levels);
                    pack(levels, dst, yo);
                }
            }
        }
    }

    /**
     * One thread's working state for unweighted {@code quantize} calls, kept between them (as Q4_K's, see
     * {@link KScaleMinVectorBlock}): each call writes every field before it reads it.
     */
    private static final class Scratch {
        final SubBlocks group = new SubBlocks(SUB, QK_K / SUB, 1);
        final SymmetricSearch search = new SymmetricSearch(group.count, SUB, 32);
        final LevelFormula formula = new LevelFormula();
        final int[] levels = new int[QK_K];
    }

    private static final ThreadLocal<Scratch> PLAIN = ThreadLocal.withInitial(Scratch::new);

    /**
     * How step 4 computes the levels of each sub-block: {@code offset + clamp(NI(x / divisor · multiplier), -32, 31)}.
     * That is {@code 32 + clamp(NI(x/dd))} with the stored scale, or where dd is 0 the levels make_qx_quants
     * left: its winning iscale's ({@code 32 + clamp(NI(x·iscale))}), or 0 for a zero group. Dividing or
     * multiplying by 1 is exact, so one formula serves the first two; {@link #levels} fills a zero group (offset 0)
     * with 0 itself.
     */
    private static final class LevelFormula {
        final float[] divisor = new float[QK_K / SUB];
        final float[] multiplier = new float[QK_K / SUB];
        final int[] offset = new int[QK_K / SUB];
    }

    /**
     * Steps 1 to 3 for one block whose search results start at sub-block {@code first}: writes {@code d} and
     * the int8 scales, or the all-zero block (then returns false), and fills {@code formula}.
     */
    private static boolean scales(SymmetricSearch search, int first, byte[] y, int yo, LevelFormula formula) {
        // step 1: max_scale is the first of largest magnitude, sign kept. C's `>` never picks a NaN, so NaN
        // magnitudes count as 0; non-negative floats order as their bits do, so an int max finds the largest.
        IntVector largest = IntVector.zero(VectorWidth.I);
        for (int p = 0; p < SUB; p += VectorWidth.LANES) {
            FloatVector a = VectorWidth.floats(search.scale, first + p).abs();
            largest = largest.max(a.blend(0.0f, a.compare(VectorOperators.NE, a)).reinterpretAsInts());
        }
        float maxAbsScale = Float.intBitsToFloat(largest.reduceLanes(VectorOperators.MAX));
        // step 2: a block with no usable scale is written as 210 zero bytes
        if (maxAbsScale < SymmetricSearch.GROUP_MAX_EPS) {
            Arrays.fill(y, yo, yo + BLOCK_BYTES, (byte) 0);
            return false;
        }
        int at = first;
        while (Math.abs(search.scale[at]) != maxAbsScale) {
            at++;
        }
        float maxScale = search.scale[at];
        // step 3: int8 scales against d = -max_scale/128 (the byte keeps the low 8 bits of MIN(127, NI))
        float iscale = -128.0f / maxScale;
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(1 / iscale));
        float d = QuantMath.f16(y, yo + D);
        ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
        for (int p = 0; p < SUB; p += VectorWidth.LANES) {
            FloatVector scale = VectorWidth.floats(search.scale, first + p);
            IntVector q = VectorWidth.nearestInt(scale.mul(iscale)).min(127);
            bytes = bytes.or(VectorWidth.narrow(q, p / VectorWidth.LANES));
            // step 4's formula, with dd = d * (the stored int8); EQ is false for a NaN dd, as C's `dd == 0` is
            IntVector stored = q.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24);
            FloatVector dd = VectorWidth.toFloats(stored).mul(d);
            VectorMask<Float> keep = dd.compare(VectorOperators.EQ, 0.0f);
            VectorMask<Float> zero = VectorWidth.floats(search.amax, first + p).compare(VectorOperators.LT, SymmetricSearch.GROUP_MAX_EPS);
            FloatVector kept = VectorWidth.floats(search.levelScale, first + p).blend(0.0f, zero);
            dd.blend(1.0f, keep).intoArray(formula.divisor, p);
            FloatVector.broadcast(VectorWidth.F, 1.0f).blend(kept, keep).intoArray(formula.multiplier, p);
            IntVector.broadcast(VectorWidth.I, 32).blend(0, keep.and(zero).cast(VectorWidth.I)).intoArray(formula.offset, p);
        }
        bytes.intoArray(y, yo + SCALES);
        return true;
    }

    /** Step 4: the levels (0..63) of the block's 256 values, per sub-block as {@code formula} says. */
    private static void levels(float[] x, int xo, LevelFormula formula, int[] L) {
        for (int j = 0; j < QK_K / SUB; j++) {
            float divisor = formula.divisor[j];
            float multiplier = formula.multiplier[j];
            int offset = formula.offset[j];
            if (offset == 0) {
                // a zero group keeps make_qx_quants' levels, all 0, whatever its values (x·0 is NaN for a NaN x)
                Arrays.fill(L, SUB * j, SUB * (j + 1), 0);
                continue;
            }
            for (int p = 0; p < SUB; p += VectorWidth.LANES) {
                FloatVector v = VectorWidth.floats(x, xo + SUB * j + p).div(divisor).mul(multiplier);
                VectorWidth.levels(v, -32, 31).add(offset).intoArray(L, SUB * j + p);
            }
        }
    }

    /**
     * The 256 values the block just written at {@code y[yo ..]} decodes to, into {@code out} from {@code o}: as
     * {@link #dequantize}, {@code (d·scale)·(L − 32)} with the stored d and int8 scales, from the block's levels
     * {@code L}, or for the all-zero block (levels null) {@code (0·0)·(−32)}, which is −0. The levels are the six bits
     * the block holds: {@code 32 + clamp(.., -32, 31)}, or 0 in a zero group ({@link #levels}).
     */
    private static void decode(int[] levels, byte[] y, int yo, float[] out, int o) {
        if (levels == null) {
            Arrays.fill(out, o, o + QK_K, -0.0f);
            return;
        }
        float d = QuantMath.f16(y, yo + D);
        for (int j = 0; j < QK_K / SUB; j++) {
            // (d*sc)*q: two roundings, as C evaluates d * sc[is] * q
            FloatVector ds = FloatVector.broadcast(VectorWidth.F, d * y[yo + SCALES + j]);
            for (int p = 0; p < SUB; p += VectorWidth.LANES) {
                ds.mul(VectorWidth.toFloats(IntVector.fromArray(VectorWidth.I, levels, SUB * j + p).sub(32)))
                        .intoArray(out, o + SUB * j + p);
            }
        }
    }

    /**
     * Step 5: per 128-value half h, value l (0..31) packs the levels of values l, l+32, l+64 and l+96 of
     * the half: low nibbles of l and l+64 / l+32 and l+96 into ql, the four high bit pairs into qh.
     */
    private static void pack(int[] L, byte[] y, int yo) {
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l += 16) {
                ByteVector low0 = ByteVector.zero(VectorWidth.BYTES16);
                ByteVector low1 = ByteVector.zero(VectorWidth.BYTES16);
                ByteVector high = ByteVector.zero(VectorWidth.BYTES16);
                for (int p = 0; p < VectorWidth.PARTS; p++) {
                    int j = 128 * h + l + p * VectorWidth.LANES;
                    IntVector q0 = IntVector.fromArray(VectorWidth.I, L, j);
                    IntVector q1 = IntVector.fromArray(VectorWidth.I, L, j + 32);
                    IntVector q2 = IntVector.fromArray(VectorWidth.I, L, j + 64);
                    IntVector q3 = IntVector.fromArray(VectorWidth.I, L, j + 96);
                    // the int-to-byte narrowing keeps the low 8 bits, dropping what the shifts push past them
                    low0 = low0.or(VectorWidth.narrow(q0.and(0xF).or(q2.lanewise(VectorOperators.LSHL, 4)), p));
                    low1 = low1.or(VectorWidth.narrow(q1.and(0xF).or(q3.lanewise(VectorOperators.LSHL, 4)), p));
                    IntVector hb = q0.lanewise(VectorOperators.LSHR, 4)
                            .or(q1.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 2))
                            .or(q2.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 4))
                            .or(q3.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 6));
                    high = high.or(VectorWidth.narrow(hb, p));
                }
                low0.intoArray(y, yo + QL + 64 * h + l);
                low1.intoArray(y, yo + QL + 64 * h + 32 + l);
                high.intoArray(y, yo + QH + 32 * h + l);
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        VectorSpecies<Float> sp = VectorWidth.F;
        for (int b = 0; b < n / QK_K; b++) {
            int xo = srcOff + b * BLOCK_BYTES;
            float d = QuantMath.f16(src, xo + D);
            for (int h = 0; h < 2; h++) {
                int ql = xo + QL + 64 * h;
                int qh = xo + QH + 32 * h;
                int sc = xo + SCALES + 8 * h;
                int out = dstOff + b * QK_K + 128 * h;
                // output group k (values l + 32k) takes the low (k = 0, 1) or high (k = 2, 3) nibbles of
                // ql[l + 32(k & 1)], bits 2k..2k+1 of qh[l], and scale is + 2k; one loop keeps the
                // method small enough for C2 to compile every vector operation inline
                for (int l = 0; l < 32; l += 16) {
                    int is = l / 16;
                    for (int k = 0; k < 4; k++) {
                        // (d*sc)*q: two roundings, as C evaluates d * sc[is] * q
                        float ds = d * src[sc + is + 2 * k];
                        int nibbleShift = 4 * (k >> 1);
                        ByteVector low = VectorWidth.piece(src, ql + l + 32 * (k & 1));
                        ByteVector high = VectorWidth.piece(src, qh + l);
                        for (int p = 0; p < VectorWidth.PARTS; p++) {
                            IntVector q = VectorWidth.widen(low, p).lanewise(VectorOperators.LSHR, nibbleShift).and(0xF)
                                    .or(VectorWidth.widen(high, p).lanewise(VectorOperators.LSHR, 2 * k).and(3)
                                            .lanewise(VectorOperators.LSHL, 4))
                                    .sub(32);
                            FloatVector.broadcast(sp, ds).mul(VectorWidth.toFloats(q))
                                    .intoArray(dst, out + 32 * k + l + p * VectorWidth.LANES);
                        }
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
