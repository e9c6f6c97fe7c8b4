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
 * Q4_1 with the Vector API: the same bytes and floats as {@code quant.ref.Q4_1Codec}
 * (reference/quantizers.md §3 Q4_1). Block of 32 values, 20 bytes: {@code fp16 d}, {@code fp16 m},
 * {@code u8 qs[16]} (value j in the low nibble of byte j, value j+16 in its high nibble).
 */
final class Q4_1VectorCodec implements BlockCodec {
    private static final int QK = LegacyBlock.QK;
    private static final int BYTES = 20;
    private static final int QS = 4;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q4_1);

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
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
            float d = (minMax[1] - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(dst, yb, Fp16.fromFloat(d));
            QuantMath.putU16(dst, yb + 2, Fp16.fromFloat(min));
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector lo = code(VectorWidth.floats(src, xb + p * VectorWidth.LANES), min, id);
                IntVector hi = code(VectorWidth.floats(src, xb + QK / 2 + p * VectorWidth.LANES), min, id);
                bytes = bytes.or(VectorWidth.narrow(lo.or(hi.lanewise(VectorOperators.LSHL, 4)), p));
            }
            bytes.intoArray(dst, yb + QS);
        }
    }

    /** {@code MIN(15, (int8_t)((x - min)*id + 0.5f))}: float ops in C's order, the x86 cast's low byte, a signed min. */
    private static IntVector code(FloatVector x, float min, float id) {
        return LegacyBlock.lowByteSigned(LegacyBlock.cvtt(x.sub(min).mul(id).add(0.5f))).min(15);
    }

    /**
     * quantize_row_q4_1_impl with importance weights (reference/quantizers-imatrix.md §3.2): the search's
     * levels are the codes, {@code d = FP16(scale)}, {@code m = FP16(-the_min)}; no re-quantization.
     */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        LegacyWeighted w = LegacyWeighted.withMin(15);
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
            ByteVector q = VectorWidth.piece(src, b + QS);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector qi = VectorWidth.widen(q, p);
                // q*d + m: a multiply and an add, each rounded (never fused)
                VectorWidth.toFloats(qi.and(0xF)).mul(d).add(m).intoArray(dst, out + p * VectorWidth.LANES);
                VectorWidth.toFloats(qi.lanewise(VectorOperators.LSHR, 4).and(0xF)).mul(d).add(m)
                        .intoArray(dst, out + QK / 2 + p * VectorWidth.LANES);
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
