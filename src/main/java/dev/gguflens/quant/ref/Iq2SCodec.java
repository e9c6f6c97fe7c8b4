package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import java.util.Arrays;

/**
 * IQ2_S: {@code quantize_row_iq2_s_impl} with importance weights (quantizers-imatrix.md §4.3) and
 * {@code dequantize_row_iq2_s} (ggml-types.md §5). Block of 256 values, 82 bytes: {@code d} f16 @0,
 * {@code qs[64]} @2 (32 bytes of grid-index low bits, then 32 sign bytes), {@code qh[8]} @66 (2 high index
 * bits per group), {@code scales[8]} @74 (as IQ2_XS). 16 sub-blocks of 16 values, two groups of 8 each.
 * Grid {@code kgrid_2bit_1024}; all 8 signs are stored, so there is no parity flip.
 */
final class Iq2SCodec extends WeightedIqCodec {
    private static final int QS = 2, SIGNS = 2 + 32, QH = 66, SCALES = 74;
    private static final int BLOCK_BYTES = 82;
    /** {@code kMaxQ}: levels 0..2, positions 1, 3, 5. */
    private static final int K_MAX_Q = 3;

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_S;
    }

    @Override
    BlockEncoder newEncoder() {
        return new Encoder(IqGridIndex.iq2s());
    }

    /** {@code quantize_row_iq2_s_impl} for one super-block; the arrays are that function's locals. */
    private final class Encoder implements BlockEncoder {
        final IqGridIndex grid;
        final float[] weight = new float[16];
        final float[] waux = new float[16];
        final float[] xval = new float[16];
        final int[] L = new int[16];
        final int[] blockSigns = new int[2];
        final float[] scales = new float[16];
        final GridScaleSearch search;

        Encoder(IqGridIndex grid) {
            this.grid = grid;
            this.search = new GridScaleSearch(Iq2SCodec.this, grid, 2, 8, K_MAX_Q, 9, 0.1f, "iq2_find_best_neighbour");
        }

        @Override
        public void encode(float[] x, int xOff, float[] qw, int qwOff, byte[] y, int yOff, long block) {
            // the whole block zeroed first (d = 0); sigma2 = (2*S)/256
            Arrays.fill(y, yOff, yOff + BLOCK_BYTES, (byte) 0);
            float maxScale = 0;
            float sigma2 = 2 * sumOfSquares(x, xOff) / QK_K;
            for (int ib = 0; ib < 16; ib++) {
                int xb = xOff + 16 * ib;
                // weights, square roots; magnitudes with all 8 sign bits kept (-0.0 >= 0: no bit)
                importanceWeights(x, xb, qw, qwOff + 16 * ib, sigma2, weight, 16);
                sqrtWeights(weight, waux, 16);
                for (int k = 0; k < 2; k++) {
                    int s = 0;
                    for (int i = 0; i < 8; i++) {
                        float v = x[xb + 8 * k + i];
                        if (v >= 0) {
                            xval[8 * k + i] = v;
                        } else {
                            xval[8 * k + i] = -v;
                            s |= 1 << i;
                        }
                    }
                    blockSigns[k] = s;
                }
                // empty sub-block (GROUP_MAX_EPS_IQ2_S): nothing written
                float max = maxOf(xval, 16);
                Arrays.fill(L, 0);
                if (max < 1e-8f) {
                    scales[ib] = 0;
                    continue;
                }
                // the candidate scales, then the off-grid groups re-fitted (as IQ2_XS: GridScaleSearch)
                float scale = search.run(xval, weight, waux, max, L, block, ib);
                // a negative scale flips all 8 signs (cannot happen: sumqx >= 0)
                if (scale < 0) {
                    scale = -scale;
                    blockSigns[0] = ~blockSigns[0] & 0xFF;
                    blockSigns[1] = ~blockSigns[1] & 0xFF;
                }
                // group i8 = 2ib+k: low index byte, 2 high bits in qh, the sign byte
                for (int k = 0; k < 2; k++) {
                    int u = 0;
                    for (int i = 0; i < 8; i++) {
                        u |= L[8 * k + i] << (2 * i);
                    }
                    int g = grid.gridIndex(u);
                    if (g < 0) {
                        throw abort(block, ib, "GGML_ASSERT fails: group " + k + " ends off the grid (code " + u + ")");
                    }
                    int i8 = 2 * ib + k;
                    y[yOff + QS + i8] = (byte) g;
                    y[yOff + QH + i8 / 4] |= (byte) ((g >>> 8) << (2 * (i8 % 4)));
                    y[yOff + SIGNS + i8] = (byte) blockSigns[k];
                }
                if (!(scale >= 0)) {
                    throw abort(block, ib, "GGML_ASSERT(scale >= 0) fails: the sub-block scale is " + scale);
                }
                scales[ib] = scale;
                maxScale = maxScale > scale ? maxScale : scale;
            }
            // no scale at all: d stays 0 (what the sub-blocks wrote stays, as in ggml)
            if (maxScale == 0) {
                return;
            }
            // d is stored 0.9875 times dd; the 4-bit scales use the unrounded dd without that factor
            float dd = maxScale / 31;
            QuantMath.putU16(y, yOff, Fp16.fromFloat(dd * 0.9875f));
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
        byte[] grid = IqGrids.iq2s();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int sc = b[off + SCALES + ib] & 0xFF;
            int qh = b[off + QH + ib] & 0xFF;
            float db0 = d * (0.5f + (sc & 0xF)) * 0.25f;
            float db1 = d * (0.5f + (sc >>> 4)) * 0.25f;
            for (int l = 0; l < 4; l++) {
                int g = ((b[off + QS + 4 * ib + l] & 0xFF) | ((qh >>> (2 * l)) & 3) << 8) * 8;
                int signs = b[off + SIGNS + 4 * ib + l];
                float db = l < 2 ? db0 : db1;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = db * (grid[g + j] & 0xFF) * sign(signs, j);
                }
            }
        }
    }
}
