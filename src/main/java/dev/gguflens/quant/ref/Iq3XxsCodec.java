package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import java.util.Arrays;
import java.util.function.Function;

/**
 * IQ3_XXS: {@code quantize_row_iq3_xxs_impl(256, ...)} with importance weights (quantizers-imatrix.md §4.4)
 * and {@code dequantize_row_iq3_xxs} (ggml-types.md §5). Block of 256 values, 98 bytes: {@code d} f16 @0, 64
 * grid-index bytes @2 (one per group of 4 values), then eight LE uint32 @66 holding four 7-bit sign codes
 * (one per 8 values, even parity) and a 4-bit scale per 32-value sub-block. Grid {@code kgrid_256}.
 */
final class Iq3XxsCodec extends WeightedIqCodec {
    private static final int QS = 2, SCALES_AND_SIGNS = 2 + 64;
    private static final int BLOCK_BYTES = 98;
    /** {@code kMaxQ}: levels 0..7, positions 1..15. */
    private static final int K_MAX_Q = 8;

    /** Each encoder's scan of the neighbour lists, made from the grid's lists; null: the scalar scan. */
    private final Function<Iq3Lists, Iq3NeighbourSearch> searches;

    /** The reference: scalar neighbour scans. */
    Iq3XxsCodec() {
        this(null);
    }

    /** With the neighbour scans {@code searches} makes (see {@link Iq3Codecs}). */
    Iq3XxsCodec(Function<Iq3Lists, Iq3NeighbourSearch> searches) {
        this.searches = searches;
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ3_XXS;
    }

    @Override
    BlockEncoder newEncoder() {
        IqGridIndex grid = IqGridIndex.iq3xxs();
        return new Encoder(grid, searches == null ? grid.scalarSearch() : searches.apply(grid.lists3()));
    }

    /** {@code quantize_row_iq3_xxs_impl} for one super-block; the arrays are that function's locals. */
    private final class Encoder implements BlockEncoder {
        final IqGridIndex grid;
        final float[] weight = new float[32];
        final float[] waux = new float[32];
        final float[] xval = new float[32];
        final int[] L = new int[32];
        final int[] blockSigns = new int[4];
        final float[] scales = new float[8];
        /** {@code q3}: the 64 grid indices, then the 8 scale-and-sign words. */
        final int[] q3 = new int[64];
        final int[] scalesAndSigns = new int[8];
        final GridScaleSearch search;

        Encoder(IqGridIndex grid, Iq3NeighbourSearch neighbours) {
            this.grid = grid;
            this.search = new GridScaleSearch(Iq3XxsCodec.this, grid, 8, 4, K_MAX_Q, 15, 0.2f, "iq3_find_best_neighbour",
                    neighbours);
        }

        @Override
        public void encode(float[] x, int xOff, float[] qw, int qwOff, byte[] y, int yOff, long block) {
            // 1. d = 0, all zero; sigma2 = (2*S)/256
            Arrays.fill(q3, 0);
            Arrays.fill(scalesAndSigns, 0);
            float maxScale = 0;
            float sigma2 = 2 * sumOfSquares(x, xOff) / QK_K;
            // 2. per 32-value sub-block
            for (int ib = 0; ib < 8; ib++) {
                int xb = xOff + 32 * ib;
                // 2.1 weights, square roots, magnitudes and even-parity sign codes per 8 values
                importanceWeights(x, xb, qw, qwOff + 32 * ib, sigma2, weight, 32);
                sqrtWeights(weight, waux, 32);
                for (int k = 0; k < 4; k++) {
                    blockSigns[k] = evenParitySigns(x, xb + 8 * k, weight, xval, 8 * k);
                }
                // 2.2 empty sub-block (GROUP_MAX_EPS_IQ3_XXS): its bytes stay zero
                float max = maxOf(xval, 32);
                Arrays.fill(L, 0);
                if (max < 1e-8f) {
                    scales[ib] = 0;
                    continue;
                }
                // 2.3-2.5 the candidate scales, then the off-grid groups re-fitted (GridScaleSearch)
                float scale = search.run(xval, weight, waux, max, L, block, ib);
                // 2.6 a negative scale flips the sign codes (cannot happen: sumqx >= 0)
                if (scale < 0) {
                    scale = -scale;
                    for (int k = 0; k < 4; k++) {
                        blockSigns[k] = ~blockSigns[k] & 127;
                    }
                }
                // 2.7 one grid index per group of 4; the four sign codes into the sub-block's word
                for (int k = 0; k < 8; k++) {
                    int u = L[4 * k] | L[4 * k + 1] << 3 | L[4 * k + 2] << 6 | L[4 * k + 3] << 9;
                    int g = grid.gridIndex(u);
                    if (g < 0) {
                        throw abort(block, ib, "GGML_ABORT: group " + k + " ends off the grid (code " + u + ")");
                    }
                    q3[8 * ib + k] = g;
                }
                scalesAndSigns[ib] = blockSigns[0] | blockSigns[1] << 7 | blockSigns[2] << 14 | blockSigns[3] << 21;
                // 2.8
                if (!(scale >= 0)) {
                    throw abort(block, ib, "GGML_ASSERT(scale >= 0) fails: the sub-block scale is " + scale);
                }
                scales[ib] = scale;
                maxScale = maxScale > scale ? maxScale : scale;
            }
            // 3. nothing to scale: all 98 bytes zero
            Arrays.fill(y, yOff, yOff + BLOCK_BYTES, (byte) 0);
            if (maxScale == 0) {
                return;
            }
            // d is stored 1.0125 times dd; the 4-bit scales use the unrounded dd without that factor
            float dd = maxScale / 31;
            QuantMath.putU16(y, yOff, Fp16.fromFloat(dd * 1.0125f));
            float id = 1 / dd;
            for (int ib = 0; ib < 8; ib++) {
                int l = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
                l = Math.max(0, Math.min(15, l));
                scalesAndSigns[ib] |= l << 28;
            }
            for (int i = 0; i < 64; i++) {
                y[yOff + QS + i] = (byte) q3[i];
            }
            for (int ib = 0; ib < 8; ib++) {
                QuantMath.putI32(y, yOff + SCALES_AND_SIGNS + 4 * ib, scalesAndSigns[ib]);
            }
        }
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq3xxs();
        byte[] ksigns = IqGrids.ksignsIq2xs();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int w = QuantMath.i32(b, off + SCALES_AND_SIGNS + 4 * ib);
            float db = d * (0.5f + (w >>> 28)) * 0.5f;
            for (int l = 0; l < 4; l++) {
                int signs = ksigns[(w >>> (7 * l)) & 127];
                int g1 = (b[off + QS + 8 * ib + 2 * l] & 0xFF) * 4;
                int g2 = (b[off + QS + 8 * ib + 2 * l + 1] & 0xFF) * 4;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 4; j++) {
                    y[o + j] = db * (grid[g1 + j] & 0xFF) * sign(signs, j);
                    y[o + 4 + j] = db * (grid[g2 + j] & 0xFF) * sign(signs, j + 4);
                }
            }
        }
    }
}
