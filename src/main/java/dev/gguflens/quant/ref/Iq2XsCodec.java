package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import java.util.Arrays;

/**
 * IQ2_XS: {@code quantize_row_iq2_xs_impl} with importance weights (quantizers-imatrix.md §4.2) and
 * {@code dequantize_row_iq2_xs} (ggml-types.md §5). Block of 256 values, 74 bytes: {@code d} f16 @0,
 * {@code qs[32]} LE uint16 @2 (9-bit grid index, 7-bit sign code above it), {@code scales[8]} @66 (two 4-bit
 * scales per byte). 16 sub-blocks of 16 values, two groups of 8 each. Grid {@code kgrid_2bit_512}.
 */
final class Iq2XsCodec extends WeightedIqCodec {
    private static final int QS = 2, SCALES = 66;
    private static final int BLOCK_BYTES = 74;
    /** {@code kMaxQ}: levels 0..2, positions 1, 3, 5. */
    private static final int K_MAX_Q = 3;

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XS;
    }

    @Override
    BlockEncoder newEncoder() {
        return new Encoder(IqGridIndex.iq2xs());
    }

    /** {@code quantize_row_iq2_xs_impl} for one super-block; the arrays are that function's locals. */
    private final class Encoder implements BlockEncoder {
        final IqGridIndex grid;
        final float[] weight = new float[16];
        final float[] waux = new float[16];
        final float[] xval = new float[16];
        final int[] L = new int[16];
        final int[] blockSigns = new int[2];
        final float[] scales = new float[16];
        final int[] q2 = new int[32];
        final GridScaleSearch search;

        Encoder(IqGridIndex grid) {
            this.grid = grid;
            this.search = new GridScaleSearch(Iq2XsCodec.this, grid, 2, 8, K_MAX_Q, 9, 0.1f, "iq2_find_best_neighbour");
        }

        @Override
        public void encode(float[] x, int xOff, float[] qw, int qwOff, byte[] y, int yOff, long block) {
            // 1. d = 0, qs and scales 0; sigma2 = S/256
            Arrays.fill(y, yOff, yOff + BLOCK_BYTES, (byte) 0);
            Arrays.fill(q2, 0);
            float maxScale = 0;
            float sigma2 = sumOfSquares(x, xOff) / QK_K;
            // 2. per 16-value sub-block
            for (int ib = 0; ib < 16; ib++) {
                int xb = xOff + 16 * ib;
                // 2.1 weights, square roots, magnitudes and even-parity sign codes
                importanceWeights(x, xb, qw, qwOff + 16 * ib, sigma2, weight, 16);
                sqrtWeights(weight, waux, 16);
                for (int k = 0; k < 2; k++) {
                    blockSigns[k] = evenParitySigns(x, xb + 8 * k, weight, xval, 8 * k);
                }
                // 2.2 empty sub-block: its qs stay zero
                float max = maxOf(xval, 16);
                Arrays.fill(L, 0);
                if (max < 1e-15f) {
                    scales[ib] = 0;
                    continue;
                }
                // 2.3-2.5 the candidate scales, then the off-grid groups re-fitted (GridScaleSearch)
                float scale = search.run(xval, weight, waux, max, L, block, ib);
                // 2.6 a negative scale flips every sign (cannot happen: sumqx >= 0)
                if (scale < 0) {
                    scale = -scale;
                    blockSigns[0] = ~blockSigns[0] & 127;
                    blockSigns[1] = ~blockSigns[1] & 127;
                }
                // 2.7 9-bit grid index | 7-bit sign code
                for (int k = 0; k < 2; k++) {
                    int u = 0;
                    for (int i = 0; i < 8; i++) {
                        u |= L[8 * k + i] << (2 * i);
                    }
                    int g = grid.gridIndex(u);
                    if (g < 0) {
                        throw abort(block, ib, "GGML_ASSERT fails: group " + k + " ends off the grid (code " + u + ")");
                    }
                    q2[2 * ib + k] = g | blockSigns[k] << 9;
                }
                // 2.8
                if (!(scale >= 0)) {
                    throw abort(block, ib, "GGML_ASSERT(scale >= 0) fails: the sub-block scale is " + scale);
                }
                scales[ib] = scale;
                maxScale = maxScale > scale ? maxScale : scale;
            }
            // 3. nothing to scale: an all-zero block; else d and the 4-bit scales from the unrounded dd
            if (maxScale == 0) {
                return;
            }
            for (int i = 0; i < 32; i++) {
                QuantMath.putU16(y, yOff + QS + 2 * i, q2[i]);
            }
            float dd = maxScale / 31;
            QuantMath.putU16(y, yOff, Fp16.fromFloat(dd));
            float id = 1 / dd;
            for (int ib = 0; ib < 16; ib++) {
                int l = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
                l = Math.max(0, Math.min(15, l));
                if (ib % 2 == 0) {
                    y[yOff + SCALES + ib / 2] = (byte) l;
                } else {
                    y[yOff + SCALES + ib / 2] |= (byte) (l << 4);
                }
            }
        }
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq2xs();
        byte[] ksigns = IqGrids.ksignsIq2xs();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int sc = b[off + SCALES + ib] & 0xFF;
            float db0 = d * (0.5f + (sc & 0xF)) * 0.25f;
            float db1 = d * (0.5f + (sc >>> 4)) * 0.25f;
            for (int l = 0; l < 4; l++) {
                int v = QuantMath.u16(b, off + QS + 2 * (4 * ib + l));
                int g = (v & 511) * 8;
                int signs = ksigns[v >>> 9];
                float db = l < 2 ? db0 : db1;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = db * (grid[g + j] & 0xFF) * sign(signs, j);
                }
            }
        }
    }
}
