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

/**
 * Q5_1 with the Vector API: the same bytes and floats as {@code quant.ref.Q5_1Codec}
 * (reference/quantizers.md §3 Q5_1). Block of 32 values, 24 bytes: {@code fp16 d}, {@code fp16 m},
 * {@code u8 qh[4]} (bit j: the fifth bit of value j), {@code u8 qs[16]} (low nibbles of values j and j+16).
 */
final class Q5_1VectorCodec implements BlockCodec {
    private static final int QK = LegacyBlock.QK;
    private static final int BYTES = 24;
    private static final int QH = 4;
    private static final int QS = 8;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q5_1);

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        float[] minMax = new float[2];
        for (int i = 0; i < n / QK; i++) {
            int xb = srcOff + i * QK;
            int yb = dstOff + i * BYTES;
            LegacyBlock.minMax(src, xb, minMax);
            float min = minMax[0];
            float d = (minMax[1] - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(dst, yb, Fp16.fromFloat(d));
            QuantMath.putU16(dst, yb + 2, Fp16.fromFloat(min));
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            long qh = 0;
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector lo = code(VectorWidth.floats(src, xb + p * VectorWidth.LANES), min, id);
                IntVector hi = code(VectorWidth.floats(src, xb + QK / 2 + p * VectorWidth.LANES), min, id);
                bytes = bytes.or(VectorWidth.narrow(lo.and(0xF).or(hi.and(0xF).lanewise(VectorOperators.LSHL, 4)), p));
                qh |= LegacyBlock.fifthBits(lo) << (p * VectorWidth.LANES);
                qh |= LegacyBlock.fifthBits(hi) << (QK / 2 + p * VectorWidth.LANES);
            }
            QuantMath.putI32(dst, yb + QH, (int) qh);
            bytes.intoArray(dst, yb + QS);
        }
    }

    /** {@code (uint8_t)((x - min)*id + 0.5f)}: no clamp here, unlike Q4_1; only the nibble and bit 4 are kept. */
    private static IntVector code(FloatVector x, float min, float id) {
        return LegacyBlock.cvtt(x.sub(min).mul(id).add(0.5f));
    }

    /**
     * quantize_row_q5_1_impl with importance weights (reference/quantizers-imatrix.md §3.2): the search's
     * levels are the codes, {@code d = FP16(scale)}, {@code m = FP16(-the_min)}; no re-quantization.
     */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        LegacyWeighted w = LegacyWeighted.withMin(31);
        int blocksPerRow = nPerRow / QK;
        int nb = nRows * blocksPerRow;
        for (int b0 = 0; b0 < nb; b0 += w.blocks) {
            int g = w.search(src, srcOff, b0, nb, blocksPerRow, importance, importanceOff);
            for (int b = 0; b < g; b++) {
                int yb = dstOff + (b0 + b) * BYTES;
                w.finish(b, src, srcOff + (b0 + b) * QK);
                QuantMath.putU16(dst, yb, Fp16.fromFloat(w.scale));
                // -the_min flips the sign bit only, as C's unary minus
                QuantMath.putU16(dst, yb + 2, Fp16.fromFloat(Float.intBitsToFloat(Float.floatToRawIntBits(w.theMin) ^ 0x80000000)));
                QuantMath.putI32(dst, yb + QH, LegacyWeighted.fifthBits(w.levels));
                LegacyWeighted.packNibbles(w.levels, dst, yb + QS);
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            int b = srcOff + i * BYTES;
            int out = dstOff + i * QK;
            FloatVector d = FloatVector.broadcast(VectorWidth.F, QuantMath.f16(src, b));
            FloatVector m = FloatVector.broadcast(VectorWidth.F, QuantMath.f16(src, b + 2));
            int qh = QuantMath.i32(src, b + QH);
            ByteVector q = VectorWidth.piece(src, b + QS);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector qi = VectorWidth.widen(q, p);
                IntVector lo = qi.and(0xF).or(LegacyBlock.fifthBitsOf(qh, p * VectorWidth.LANES));
                IntVector hi = qi.lanewise(VectorOperators.LSHR, 4).and(0xF)
                        .or(LegacyBlock.fifthBitsOf(qh, QK / 2 + p * VectorWidth.LANES));
                // q*d + m: a multiply and an add, each rounded (never fused)
                VectorWidth.toFloats(lo).mul(d).add(m).intoArray(dst, out + p * VectorWidth.LANES);
                VectorWidth.toFloats(hi).mul(d).add(m).intoArray(dst, out + QK / 2 + p * VectorWidth.LANES);
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
