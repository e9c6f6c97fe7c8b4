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
 * Q5_0 with the Vector API: the same bytes and floats as {@code quant.ref.Q5_0Codec}
 * (reference/quantizers.md §3 Q5_0). Block of 32 values, 22 bytes: {@code fp16 d}, {@code u8 qh[4]}
 * (bit j: the fifth bit of value j), {@code u8 qs[16]} (low nibbles of values j and j+16).
 */
final class Q5_0VectorCodec implements BlockCodec {
    private static final int QK = LegacyBlock.QK;
    private static final int BYTES = 22;
    private static final int QH = 2;
    private static final int QS = 6;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q5_0);

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        for (int i = 0; i < n / QK; i++) {
            int xb = srcOff + i * QK;
            int yb = dstOff + i * BYTES;
            float d = LegacyBlock.signedAbsMax(src, xb) / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(dst, yb, Fp16.fromFloat(d));
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            long qh = 0;
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector lo = code(VectorWidth.floats(src, xb + p * VectorWidth.LANES), id);
                IntVector hi = code(VectorWidth.floats(src, xb + QK / 2 + p * VectorWidth.LANES), id);
                bytes = bytes.or(VectorWidth.narrow(lo.and(0xF).or(hi.and(0xF).lanewise(VectorOperators.LSHL, 4)), p));
                qh |= LegacyBlock.fifthBits(lo) << (p * VectorWidth.LANES);
                qh |= LegacyBlock.fifthBits(hi) << (QK / 2 + p * VectorWidth.LANES);
            }
            QuantMath.putI32(dst, yb + QH, (int) qh);
            bytes.intoArray(dst, yb + QS);
        }
    }

    /** {@code MIN(31, (int8_t)(x*id + 16.5f))}: a float add, the x86 cast's low byte, a signed min. */
    private static IntVector code(FloatVector x, float id) {
        return LegacyBlock.lowByteSigned(LegacyBlock.cvtt(x.mul(id).add(16.5f))).min(31);
    }

    /**
     * quantize_row_q5_0_impl with importance weights (reference/quantizers-imatrix.md §3.1): the search's
     * levels are the codes, {@code d = FP16(scale)}; no re-quantization.
     */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        LegacyWeighted w = LegacyWeighted.symmetric(16);
        int blocksPerRow = nPerRow / QK;
        int nb = nRows * blocksPerRow;
        for (int b0 = 0; b0 < nb; b0 += w.blocks) {
            int g = w.search(src, srcOff, b0, nb, blocksPerRow, importance, importanceOff);
            for (int b = 0; b < g; b++) {
                int yb = dstOff + (b0 + b) * BYTES;
                w.finish(b, src, srcOff + (b0 + b) * QK);
                QuantMath.putU16(dst, yb, Fp16.fromFloat(w.scale));
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
            int qh = QuantMath.i32(src, b + QH);
            ByteVector q = VectorWidth.piece(src, b + QS);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector qi = VectorWidth.widen(q, p);
                IntVector lo = qi.and(0xF).or(LegacyBlock.fifthBitsOf(qh, p * VectorWidth.LANES));
                IntVector hi = qi.lanewise(VectorOperators.LSHR, 4).and(0xF)
                        .or(LegacyBlock.fifthBitsOf(qh, QK / 2 + p * VectorWidth.LANES));
                VectorWidth.toFloats(lo.sub(16)).mul(d).intoArray(dst, out + p * VectorWidth.LANES);
                VectorWidth.toFloats(hi.sub(16)).mul(d).intoArray(dst, out + QK / 2 + p * VectorWidth.LANES);
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
