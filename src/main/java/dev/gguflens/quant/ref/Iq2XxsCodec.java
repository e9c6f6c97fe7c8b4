package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import java.util.Arrays;

/**
 * IQ2_XXS: {@code quantize_row_iq2_xxs_impl} with importance weights (quantizers-imatrix.md §4.1) and
 * {@code dequantize_row_iq2_xxs} (ggml-types.md §5). Block of 256 values, 66 bytes: {@code d} f16 @0, then
 * per 32-value sub-block two LE uint32: {@code A} = four 8-bit grid indices (group k in byte k), {@code B} =
 * four 7-bit sign codes at bits 7k and a 4-bit scale at bits 28..31. Grid {@code kgrid_2bit_256}.
 */
final class Iq2XxsCodec extends WeightedIqCodec {
    private static final int QS = 2;
    /** {@code kMaxQ}: levels 0..2, positions 1, 3, 5. */
    private static final int K_MAX_Q = 3;

    @Override
    public GgmlType type() {
        return GgmlType.IQ2_XXS;
    }

    @Override
    BlockEncoder newEncoder() {
        return new Encoder(IqGridIndex.iq2xxs());
    }

    /** {@code quantize_row_iq2_xxs_impl} for one super-block; the arrays are that function's locals. */
    private final class Encoder implements BlockEncoder {
        final IqGridIndex grid;
        final float[] weight = new float[32];
        final float[] waux = new float[32];
        final float[] xval = new float[32];
        final int[] L = new int[32];
        final int[] Laux = new int[32];
        final int[] blockSigns = new int[4];
        final float[] scales = new float[8];
        /** {@code q2}: the A and B words of the 8 sub-blocks. */
        final int[] q2 = new int[16];

        /** The neighbour searches' scratch space. */
        final float[] terms;

        Encoder(IqGridIndex grid) {
            this.grid = grid;
            this.terms = grid.newScratch();
        }

        @Override
        public void encode(float[] x, int xOff, float[] qw, int qwOff, byte[] y, int yOff, long block) {
            // 1. d = 0, all words 0
            Arrays.fill(q2, 0);
            float maxScale = 0;
            // 2. sigma2 = S/256
            float sigma2 = sumOfSquares(x, xOff) / QK_K;
            // 3. per 32-value sub-block
            for (int ib = 0; ib < 8; ib++) {
                int xb = xOff + 32 * ib;
                // 3.1 weights, and their square roots for the neighbour searches
                importanceWeights(x, xb, qw, qwOff + 32 * ib, sigma2, weight, 32);
                sqrtWeights(weight, waux, 32);
                // 3.2 magnitudes and 7-bit sign codes with even parity
                for (int k = 0; k < 4; k++) {
                    blockSigns[k] = evenParitySigns(x, xb + 8 * k, weight, xval, 8 * k);
                }
                // 3.3 empty sub-block: A and B stay zero
                float max = maxOf(xval, 32);
                if (max < 1e-15f) {
                    scales[ib] = 0;
                    continue;
                }
                // 3.4 first scale from make_qp_quants (uint8 levels; a flipped xval may be negative)
                float scale = QpQuants.quantize(32, K_MAX_Q + 1, xval, 0, L, 0, weight, 0);
                float effMax = scale * K_MAX_Q;
                if (effMax <= 0) {
                    scales[ib] = 0;
                    continue;
                }
                // 3.5 13 candidate scales around it; the first strictly better fit wins
                float best = 0;
                for (int is = -6; is <= 6; is++) {
                    float id = (2 * K_MAX_Q - 1 + is * 0.1f) / effMax;
                    float thisScale = 1 / id;
                    for (int k = 0; k < 4; k++) {
                        int u = 0;
                        for (int i = 0; i < 8; i++) {
                            int l = level(id, xval[8 * k + i], K_MAX_Q - 1);
                            Laux[8 * k + i] = l;
                            u |= l << (2 * i);
                        }
                        if (grid.gridIndex(u) < 0) {
                            neighbour(u, k, thisScale, Laux, block, ib);
                        }
                    }
                    float sumqx = 0, sumq2 = 0;
                    for (int i = 0; i < 32; i++) {
                        float w = weight[i];
                        float q = 2 * Laux[i] + 1;
                        sumqx += w * xval[i] * q;
                        sumq2 += w * q * q;
                    }
                    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                        scale = sumqx / sumq2;
                        best = scale * sumqx;
                        System.arraycopy(Laux, 0, L, 0, 32);
                    }
                }
                // 3.6 every group re-fitted to the chosen scale, then the scale re-fitted to the groups
                if (scale > 0) {
                    float id = 1 / scale;
                    for (int k = 0; k < 4; k++) {
                        int u = 0;
                        for (int i = 0; i < 8; i++) {
                            int l = level(id, xval[8 * k + i], K_MAX_Q - 1);
                            L[8 * k + i] = l;
                            u |= l << (2 * i);
                        }
                        if (grid.gridIndex(u) < 0) {
                            neighbour(u, k, scale, L, block, ib);
                        }
                    }
                    float sumqx = 0, sumq2 = 0;
                    for (int i = 0; i < 32; i++) {
                        float w = weight[i];
                        float q = 2 * L[i] + 1;
                        sumqx += w * xval[i] * q;
                        sumq2 += w * q * q;
                    }
                    if (sumq2 > 0) {
                        scale = sumqx / sumq2;
                    }
                }
                // 3.7 a negative scale flips every sign (cannot happen: sumqx >= 0)
                if (scale < 0) {
                    scale = -scale;
                    for (int k = 0; k < 4; k++) {
                        blockSigns[k] = ~blockSigns[k] & 127;
                    }
                }
                // 3.8 grid indices into A, sign codes into B
                for (int k = 0; k < 4; k++) {
                    int u = 0;
                    for (int i = 0; i < 8; i++) {
                        u |= L[8 * k + i] << (2 * i);
                    }
                    int g = grid.gridIndex(u);
                    if (g < 0) {
                        throw abort(block, ib, "GGML_ASSERT fails: group " + k + " ends off the grid (code " + u + ")");
                    }
                    q2[2 * ib] |= g << (8 * k);
                    q2[2 * ib + 1] |= blockSigns[k] << (7 * k);
                }
                // 3.9
                if (!(scale >= 0)) {
                    throw abort(block, ib, "GGML_ASSERT(scale >= 0) fails: the sub-block scale is " + scale);
                }
                scales[ib] = scale;
                maxScale = maxScale > scale ? maxScale : scale;
            }
            // 4. nothing to scale: an all-zero block
            if (maxScale == 0) {
                Arrays.fill(y, yOff, yOff + 66, (byte) 0);
                return;
            }
            // 5. d and the 4-bit sub-block scales from the unrounded dd
            float dd = maxScale / 31;
            QuantMath.putU16(y, yOff, Fp16.fromFloat(dd));
            float id = 1 / dd;
            for (int ib = 0; ib < 8; ib++) {
                int l = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
                l = Math.max(0, Math.min(15, l));
                q2[2 * ib + 1] |= l << 28;
            }
            for (int i = 0; i < 16; i++) {
                QuantMath.putI32(y, yOff + QS + 4 * i, q2[i]);
            }
        }

        /** {@code iq2_find_best_neighbour} for group k, writing its levels into {@code dst}. */
        private void neighbour(int u, int k, float scale, int[] dst, long block, int ib) {
            if (grid.bestNeighbour(u, xval, 8 * k, waux, 8 * k, scale, dst, 8 * k, terms) < 0) {
                throw abort(block, ib, "GGML_ASSERT(grid_index >= 0) fails in iq2_find_best_neighbour: no grid point fits group "
                        + k + " (a NaN value, or errors that overflow to infinity)");
            }
        }
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq2xxs();
        byte[] ksigns = IqGrids.ksignsIq2xs();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int q = off + QS + 8 * ib;
            int aux1 = QuantMath.i32(b, q + 4);
            // d * (0.5f + s) * 0.25f, left to right
            float db = d * (0.5f + (aux1 >>> 28)) * 0.25f;
            for (int l = 0; l < 4; l++) {
                int g = (b[q + l] & 0xFF) * 8;
                int signs = ksigns[(aux1 >>> (7 * l)) & 127];
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = db * (grid[g + j] & 0xFF) * sign(signs, j);
                }
            }
        }
    }
}
