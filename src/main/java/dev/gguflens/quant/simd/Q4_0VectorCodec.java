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
 * Q4_0 with the Vector API: the same bytes and floats as {@code quant.ref.Q4_0Codec}
 * (reference/quantizers.md §3 Q4_0). Block of 32 values, 18 bytes: {@code fp16 d}, {@code u8 qs[16]}
 * holding value j in the low nibble of byte j and value j+16 in its high nibble.
 */
final class Q4_0VectorCodec implements BlockCodec {
    private static final int QK = LegacyBlock.QK;
    private static final int BYTES = 18;
    private static final int QS = 2;

    private final BlockCodec reference = RefCodecs.get(GgmlType.Q4_0);

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
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
            float d = LegacyBlock.signedAbsMax(src, xb) / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(dst, yb, Fp16.fromFloat(d));
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector lo = code(VectorWidth.floats(src, xb + p * VectorWidth.LANES), id);
                IntVector hi = code(VectorWidth.floats(src, xb + QK / 2 + p * VectorWidth.LANES), id);
                bytes = bytes.or(VectorWidth.narrow(lo.or(hi.lanewise(VectorOperators.LSHL, 4)), p));
            }
            bytes.intoArray(dst, yb + QS);
        }
    }

    /** {@code MIN(15, (int8_t)(x*id + 8.5f))}: a float add, the x86 cast's low byte, a signed min. */
    private static IntVector code(FloatVector x, float id) {
        return LegacyBlock.lowByteSigned(LegacyBlock.cvtt(x.mul(id).add(8.5f))).min(15);
    }

    /**
     * quantize_row_q4_0_impl with importance weights (reference/quantizers-imatrix.md §3.1): the search's
     * levels are the codes, {@code d = FP16(scale)}; no re-quantization.
     */
    private static void quantizeWeighted(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                         float[] importance, int importanceOff) {
        LegacyWeighted w = LegacyWeighted.symmetric(8);
        int blocksPerRow = nPerRow / QK;
        int nb = nRows * blocksPerRow;
        for (int b0 = 0; b0 < nb; b0 += w.blocks) {
            int g = w.search(src, srcOff, b0, nb, blocksPerRow, importance, importanceOff);
            for (int b = 0; b < g; b++) {
                int yb = dstOff + (b0 + b) * BYTES;
                w.finish(b, src, srcOff + (b0 + b) * QK);
                QuantMath.putU16(dst, yb, Fp16.fromFloat(w.scale));
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
            ByteVector q = VectorWidth.piece(src, b + QS);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                IntVector qi = VectorWidth.widen(q, p);
                // ((q & 0xF) - 8) * d: exact small ints, then one float multiply
                VectorWidth.toFloats(qi.and(0xF).sub(8)).mul(d).intoArray(dst, out + p * VectorWidth.LANES);
                VectorWidth.toFloats(qi.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(8)).mul(d)
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
