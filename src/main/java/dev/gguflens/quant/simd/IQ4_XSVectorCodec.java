package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.QuantMath;
import dev.gguflens.quant.ref.RefCodecs;

/**
 * IQ4_XS with the Vector API: the same bytes as {@code quant.ref.IQ4_XSCodec} ({@code quantize_row_iq4_nl_impl}
 * over 256 values with ntry = 7, quantizers.md §3 "IQ4_XS"). The eight sub-block searches run one per lane
 * ({@link Iq4Search}); the super-block's 6-bit scales are the reference's scalar steps. Block of 256 values,
 * 136 bytes: {@code fp16 d}, {@code u16 scales_h}, {@code u8 scales_l[4]}, {@code u8 qs[128]}.
 */
final class IQ4_XSVectorCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int SUB = QK / Iq4Search.BLOCK;
    private static final int BYTES = 136;

    /** Each thread's working state (see {@link Iq4Search.Scratch}). */
    private static final ThreadLocal<Iq4Search.Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Iq4Search.Scratch(SUB));

    private final BlockCodec reference = RefCodecs.get(GgmlType.IQ4_XS);

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        Iq4Search.Scratch scratch = SCRATCH.get().reset();
        SubBlocks g = scratch.group;
        float[] scales = scratch.scales;
        float[] ids = scratch.ids;
        int[] packed = scratch.packed;
        int nb = n / QK;
        for (int b0 = 0; b0 < nb; b0 += g.blocks) {
            int blocks = Math.min(g.blocks, nb - b0);
            g.load(src, srcOff + b0 * QK, blocks);
            for (int s0 = 0; s0 < g.count; s0 += VectorWidth.LANES) {
                Iq4Search.scales(g, s0, scales);
            }
            for (int b = 0; b < blocks; b++) {
                superBlockScales(scales, b * SUB, ids, dst, dstOff + (b0 + b) * BYTES);
            }
            for (int s0 = 0; s0 < g.count; s0 += VectorWidth.LANES) {
                Iq4Search.pack(g, s0, ids, packed);
                for (int s = s0; s < Math.min(blocks * SUB, s0 + VectorWidth.LANES); s++) {
                    int qs = dstOff + (b0 + s / SUB) * BYTES + 8 + 16 * (s % SUB);
                    for (int j = 0; j < Iq4Search.BLOCK / 2; j++) {
                        dst[qs + j] = (byte) packed[j * VectorWidth.LANES + s - s0];
                    }
                }
            }
        }
    }

    /**
     * The reference's super-block step for sub-blocks {@code first .. first+8}: the first scale of largest
     * magnitude (with its sign) sets {@code d = -max_scale/32}; each sub-block's scale becomes a 6-bit
     * multiple of d, and its inverse (0 for a zero scale) is what its values are re-quantized with.
     */
    private static void superBlockScales(float[] scales, int first, float[] ids, byte[] y, int yb) {
        float maxScale = 0.0f;
        float amaxScale = 0.0f;
        for (int ib = 0; ib < SUB; ib++) {
            float a = Math.abs(scales[first + ib]);
            if (a > amaxScale) {
                amaxScale = a;
                maxScale = scales[first + ib];
            }
        }
        float d = -maxScale / 32;
        QuantMath.putU16(y, yb, Fp16.fromFloat(d));
        float id = d != 0 ? 1 / d : 0.0f;
        int scalesH = 0;
        for (int ib = 0; ib < SUB; ib++) {
            int l = Math.max(-32, Math.min(31, QuantMath.nearestInt(id * scales[first + ib])));
            float dl = d * l;
            ids[first + ib] = dl != 0 ? 1 / dl : 0.0f;
            l += 32;
            if (ib % 2 == 0) {
                y[yb + 4 + ib / 2] = (byte) (l & 0xF);
            } else {
                y[yb + 4 + ib / 2] |= (byte) ((l & 0xF) << 4);
            }
            scalesH |= (l >> 4) << (2 * ib);
        }
        QuantMath.putU16(y, yb + 2, scalesH);
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        reference.dequantize(src, srcOff, dst, dstOff, n);
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return reference.firstInvalidBlock(data, off, nBlocks);
    }

    @Override
    public ImportanceUse importanceUse() {
        return reference.importanceUse();
    }

    /** Weighted rows go to the reference encoder: the vectorized search is the unweighted one. */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                     float[] importance, int importanceOff) {
        reference.quantizeWeightedRows(src, srcOff, dst, dstOff, nRows, nPerRow, importance, importanceOff);
    }
}
