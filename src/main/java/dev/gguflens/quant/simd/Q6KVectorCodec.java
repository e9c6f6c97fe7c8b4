package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
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
        SubBlocks group = new SubBlocks(SUB, QK_K / SUB, 1);
        // make_qx_quants(16, 32, x, L, 1, NULL) per sub-block
        SymmetricSearch search = new SymmetricSearch(group.count, SUB, 32);
        byte[] levels = new byte[QK_K];
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
                finishBlock(search, b * group.perBlock, src, xo, dst, yo, levels);
            }
        }
    }

    /** Steps 1 (the scale maximum) to 5 for one block whose search results start at sub-block {@code first}. */
    private static void finishBlock(SymmetricSearch search, int first, float[] x, int xo, byte[] y, int yo, byte[] L) {
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < QK_K / SUB; ib++) {
            float scale = search.scale[first + ib];
            float absScale = Math.abs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        // step 2: a block with no usable scale is written as 210 zero bytes
        if (maxAbsScale < SymmetricSearch.GROUP_MAX_EPS) {
            Arrays.fill(y, yo, yo + BLOCK_BYTES, (byte) 0);
            return;
        }
        // step 3: int8 scales against d = -max_scale/128 (the byte keeps the low 8 bits of MIN(127, NI))
        float iscale = -128.0f / maxScale;
        QuantMath.putU16(y, yo + D, Fp16.fromFloat(1 / iscale));
        for (int ib = 0; ib < QK_K / SUB; ib++) {
            y[yo + SCALES + ib] = (byte) Math.min(127, QuantMath.nearestInt(iscale * search.scale[first + ib]));
        }
        // step 4: re-quantize with the stored scales; a zero scale keeps make_qx_quants' levels
        float d = QuantMath.f16(y, yo + D);
        for (int j = 0; j < QK_K / SUB; j++) {
            float dd = d * y[yo + SCALES + j];
            if (dd != 0) {
                Levels.divided(x, xo + SUB * j, SUB, dd, -32, 31, 32, L, SUB * j);
            } else if (search.zeroGroup[first + j]) {
                Arrays.fill(L, SUB * j, SUB * (j + 1), (byte) 0);
            } else {
                Levels.scaled(x, xo + SUB * j, SUB, search.levelScale[first + j], -32, 31, 32, L, SUB * j);
            }
        }
        // step 5: per 128-value half, low nibbles of values l, l+64 / l+32, l+96 and their high bit pairs
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l += 16) {
                int j = 128 * h + l;
                ByteVector l0 = VectorWidth.piece(L, j);
                ByteVector l1 = VectorWidth.piece(L, j + 32);
                ByteVector l2 = VectorWidth.piece(L, j + 64);
                ByteVector l3 = VectorWidth.piece(L, j + 96);
                l0.and((byte) 0xF).or(l2.and((byte) 0xF).lanewise(VectorOperators.LSHL, 4)).intoArray(y, yo + QL + 64 * h + l);
                l1.and((byte) 0xF).or(l3.and((byte) 0xF).lanewise(VectorOperators.LSHL, 4)).intoArray(y, yo + QL + 64 * h + l + 32);
                l0.lanewise(VectorOperators.LSHR, 4)
                        .or(l1.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 2))
                        .or(l2.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 4))
                        .or(l3.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.LSHL, 6))
                        .intoArray(y, yo + QH + 32 * h + l);
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
}
