package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import java.util.Arrays;

/**
 * IQ1_S: {@code quantize_row_iq1_s_impl} with importance weights (quantizers-imatrix.md §4.6) and
 * {@code dequantize_row_iq1_s} (ggml-types.md §5). Block of 256 values, 50 bytes: {@code d} f16 @0,
 * {@code qs[32]} @2 (grid index low bytes), {@code qh[8]} LE uint16 @34 (3 high index bits per group, a 3-bit
 * scale, the delta's sign). 8 sub-blocks of 32 signed values, groups of 8. Grid {@code kgrid_1bit_2048}.
 */
final class Iq1SCodec extends WeightedIqCodec {
    private static final int QS = 2, QH = 34;
    private static final int BLOCK_BYTES = 50;
    /** {@code IQ1S_DELTA}: the grid's -1/0/+1 values are shifted by plus or minus this. */
    static final float DELTA = 0.125f;
    /** The values a level 0, 1, 2 stands for with the positive shift: {@code -1+δ, δ, 1+δ}. */
    static final float[] X_P = {-1 + DELTA, DELTA, 1 + DELTA};
    /** ... and with the negative shift: {@code -1-δ, -δ, 1-δ}. */
    static final float[] X_M = {-1 - DELTA, -DELTA, 1 - DELTA};

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_S;
    }

    @Override
    BlockEncoder newEncoder() {
        return new Encoder(IqGridIndex.iq1s());
    }

    /** {@code quantize_row_iq1_s_impl} for one super-block; the arrays are that function's locals. */
    private final class Encoder implements BlockEncoder {
        final IqGridIndex grid;
        final float[] weight = new float[32];
        final int[] idx = new int[32];
        final float[] sumx = new float[33];
        final float[] sumw = new float[33];
        final int[] L = new int[32];
        final int[] index = new int[4];
        final float[] scales = new float[8];
        final int[] shifts = new int[8];

        /** The neighbour searches' scratch space. */
        final float[] terms;

        Encoder(IqGridIndex grid) {
            this.grid = grid;
            this.terms = grid.newScratch();
        }

        @Override
        public void encode(float[] x, int xOff, float[] qw, int qwOff, byte[] y, int yOff, long block) {
            // 1. d = 0, qs = 0, qh = 0; sigma2 = (2*S)/256
            Arrays.fill(y, yOff, yOff + BLOCK_BYTES, (byte) 0);
            float maxScale = 0;
            float sigma2 = 2 * sumOfSquares(x, xOff) / QK_K;
            // 2. per 32-value sub-block, on the signed values
            for (int ib = 0; ib < 8; ib++) {
                int xb = xOff + 32 * ib;
                // 2.1 weights
                importanceWeights(x, xb, qw, qwOff + 32 * ib, sigma2, weight, 32);
                // 2.2 empty sub-block (GROUP_MAX_EPS_IQ1_S): qs, qh stay zero
                float max = Math.abs(x[xb]);
                for (int i = 1; i < 32; i++) {
                    float a = Math.abs(x[xb + i]);
                    max = max > a ? max : a;
                }
                if (max < 1e-12f) {
                    scales[ib] = 0;
                    shifts[ib] = 1;
                    continue;
                }
                // 2.3 stable sort by value; 2.4 prefix sums of weight*x and weight in that order
                stableSortByValue(x, xb, 32, idx);
                sumx[0] = sumw[0] = 0;
                for (int j = 0; j < 32; j++) {
                    int i = idx[j];
                    sumx[j + 1] = sumx[j] + weight[i] * x[xb + i];
                    sumw[j + 1] = sumw[j] + weight[i];
                }
                // 2.5 every split of the sorted values into levels 0 | 1 | 2, with either shift
                float best = -Float.MAX_VALUE;
                float scale = max;
                int besti1 = -1, besti2 = -1, bestShift = 0;
                for (int i1 = 0; i1 <= 32; i1++) {
                    for (int i2 = i1; i2 <= 32; i2++) {
                        float sx0 = sumx[i1] - sumx[0], sx1 = sumx[i2] - sumx[i1], sx2 = sumx[32] - sumx[i2];
                        float sw0 = sumw[i1] - sumw[0], sw1 = sumw[i2] - sumw[i1], sw2 = sumw[32] - sumw[i2];
                        float sumqx = sx0 * X_P[0] + sx1 * X_P[1] + sx2 * X_P[2];
                        float sumq2 = sw0 * X_P[0] * X_P[0] + sw1 * X_P[1] * X_P[1] + sw2 * X_P[2] * X_P[2];
                        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                            scale = sumqx / sumq2;
                            best = scale * sumqx;
                            besti1 = i1;
                            besti2 = i2;
                            bestShift = 1;
                        }
                        sumqx = sx0 * X_M[0] + sx1 * X_M[1] + sx2 * X_M[2];
                        sumq2 = sw0 * X_M[0] * X_M[0] + sw1 * X_M[1] * X_M[1] + sw2 * X_M[2] * X_M[2];
                        if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                            scale = sumqx / sumq2;
                            best = scale * sumqx;
                            besti1 = i1;
                            besti2 = i2;
                            bestShift = -1;
                        }
                    }
                }
                // 2.6 nothing accepted (all weights zero)
                if (besti1 < 0) {
                    scales[ib] = 0;
                    shifts[ib] = 1;
                    continue;
                }
                // 2.7 the levels of the best split; a negative scale mirrors levels and shift
                for (int j = 0; j < 32; j++) {
                    L[idx[j]] = j < besti1 ? 0 : j < besti2 ? 1 : 2;
                }
                if (scale < 0) {
                    for (int j = 0; j < 32; j++) {
                        L[j] = 2 - L[j];
                    }
                    scale = -scale;
                    bestShift = -bestShift;
                }
                float[] xx = bestShift == 1 ? X_P : X_M;
                // 2.8 each group's grid point, the nearest neighbour when off the grid
                boolean allOnGrid = true;
                for (int k = 0; k < 4; k++) {
                    int u = 0;
                    for (int j = 0; j < 8; j++) {
                        u |= L[8 * k + j] << (2 * j);
                    }
                    int g = grid.gridIndex(u);
                    if (g < 0) {
                        allOnGrid = false;
                        g = grid.bestNeighbourIq1(u, x, xb + 8 * k, weight, 8 * k, scale, xx, L, 8 * k, terms);
                        if (g < 0) {
                            throw abort(block, ib, "GGML_ASSERT(grid_index >= 0) fails in iq1_find_best_neighbour2: no grid point fits group "
                                    + k + " (a NaN value, or errors that overflow to infinity)");
                        }
                    }
                    index[k] = g;
                }
                // 2.9 off-grid groups moved: re-fit the scale to the chosen points
                if (!allOnGrid) {
                    float sumqx = 0, sumq2 = 0;
                    for (int k = 0; k < 4; k++) {
                        for (int j = 0; j < 8; j++) {
                            float w = weight[8 * k + j];
                            float q = xx[grid.level(index[k], j)];
                            sumqx += w * q * x[xb + 8 * k + j];
                            sumq2 += w * q * q;
                        }
                    }
                    if (sumqx > 0 && sumq2 > 0) {
                        scale = sumqx / sumq2;
                    }
                }
                // 2.10 index low bytes to qs, high bits to qh
                int h = 0;
                for (int k = 0; k < 4; k++) {
                    y[yOff + QS + 4 * ib + k] = (byte) index[k];
                    h |= (index[k] >>> 8) << (3 * k);
                }
                QuantMath.putU16(y, yOff + QH + 2 * ib, h);
                // 2.11
                if (!(scale >= 0)) {
                    throw abort(block, ib, "GGML_ASSERT(scale >= 0) fails: the sub-block scale is " + scale);
                }
                scales[ib] = scale;
                shifts[ib] = bestShift;
                maxScale = maxScale > scale ? maxScale : scale;
            }
            // 3. no scale at all: d stays 0 (what the sub-blocks wrote stays, as in ggml)
            if (maxScale == 0) {
                return;
            }
            // 4. d is stored 1.125 times dd; the 3-bit scales (and the shift bit) use the unrounded dd
            float dd = maxScale / 15;
            QuantMath.putU16(y, yOff, Fp16.fromFloat(dd * 1.125f));
            float id = 1 / dd;
            for (int ib = 0; ib < 8; ib++) {
                int l = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
                l = Math.max(0, Math.min(7, l));
                if (shifts[ib] == -1) {
                    l |= 8;
                }
                int qh = QuantMath.u16(y, yOff + QH + 2 * ib) | l << 12;
                QuantMath.putU16(y, yOff + QH + 2 * ib, qh);
            }
        }
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq1s();
        float d = QuantMath.f16(b, off);
        for (int ib = 0; ib < 8; ib++) {
            int qh = QuantMath.u16(b, off + QH + 2 * ib);
            float dl = d * (2 * ((qh >>> 12) & 7) + 1);
            float delta = (qh & 0x8000) != 0 ? -DELTA : DELTA;
            for (int l = 0; l < 4; l++) {
                int g = ((b[off + QS + 4 * ib + l] & 0xFF) | ((qh >>> (3 * l)) & 7) << 8) * 8;
                int o = yOff + 32 * ib + 8 * l;
                for (int j = 0; j < 8; j++) {
                    // grid bytes are signed (-1, 0, +1): int8 + float, then the scale
                    y[o + j] = dl * (grid[g + j] + delta);
                }
            }
        }
    }
}
