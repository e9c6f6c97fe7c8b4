package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import java.util.Arrays;

/**
 * IQ1_M: {@code quantize_row_iq1_m_impl} with importance weights, in the release binary's version (per-half
 * prefix sums; quantizers-imatrix.md §4.7), and {@code dequantize_row_iq1_m} (ggml-types.md §5). Block of 256
 * values, 56 bytes: {@code qs[32]} @0, {@code qh[16]} @32, {@code scales[8]} @48 read as four LE uint16 words
 * whose top nibbles together hold the fp16 super-block scale (the block has no {@code d} field) and whose low
 * 12 bits hold four 3-bit sub-block scales. 16 sub-blocks of 16 signed values, two groups of 8, each group
 * with its own shift sign. Grid {@code kgrid_1bit_2048}.
 */
final class Iq1MCodec extends WeightedIqCodec {
    private static final int QS = 0, QH = 32, SCALES = 48;
    private static final int BLOCK_BYTES = 56;
    /** {@code qh} bits of the shift pattern k: bit 3 for group 0, bit 7 for group 1 (negative shift). */
    private static final int[] MASKS = {0x00, 0x80, 0x08, 0x88};
    // x_p[2], x_m[2] and the differences of squares the collapsed sums use (all exact)
    private static final float P2 = Iq1SCodec.X_P[2], M2 = Iq1SCodec.X_M[2];
    private static final float CP1 = Iq1SCodec.X_P[0] * Iq1SCodec.X_P[0] - Iq1SCodec.X_P[1] * Iq1SCodec.X_P[1];
    private static final float CP2 = Iq1SCodec.X_P[1] * Iq1SCodec.X_P[1] - Iq1SCodec.X_P[2] * Iq1SCodec.X_P[2];
    private static final float CM1 = Iq1SCodec.X_M[0] * Iq1SCodec.X_M[0] - Iq1SCodec.X_M[1] * Iq1SCodec.X_M[1];
    private static final float CM2 = Iq1SCodec.X_M[1] * Iq1SCodec.X_M[1] - Iq1SCodec.X_M[2] * Iq1SCodec.X_M[2];

    @Override
    public GgmlType type() {
        return GgmlType.IQ1_M;
    }

    @Override
    BlockEncoder newEncoder() {
        return new Encoder(IqGridIndex.iq1s());
    }

    /** The values of group k (0 or 1) under shift pattern {@code shift}: group 0 is negative for 2, 3; group 1 for 1, 3. */
    private static float[] groupValues(int shift, int k) {
        boolean negative = k == 0 ? shift >= 2 : shift % 2 != 0;
        return negative ? Iq1SCodec.X_M : Iq1SCodec.X_P;
    }

    /** {@code quantize_row_iq1_m_impl} for one super-block; the arrays are that function's locals. */
    private final class Encoder implements BlockEncoder {
        final IqGridIndex grid;
        final float[] weight = new float[16];
        final int[] idx = new int[16];
        /** Per-half prefix sums: {@code px[17*h + j]}, {@code pw[17*h + j]}. */
        final float[] px = new float[34];
        final float[] pw = new float[34];
        final int[] L = new int[16];
        final int[] index = new int[2];
        final float[] scales = new float[16];
        final int[] shifts = new int[16];
        final int[] sc = new int[4];

        /** The neighbour searches' scratch space. */
        final float[] terms;

        Encoder(IqGridIndex grid) {
            this.grid = grid;
            this.terms = grid.newScratch();
        }

        @Override
        public void encode(float[] x, int xOff, float[] qw, int qwOff, byte[] y, int yOff, long block) {
            // 1. qs, qh, scales all 0; sigma2 = (2*S)/256
            Arrays.fill(y, yOff, yOff + BLOCK_BYTES, (byte) 0);
            float maxScale = 0;
            float sigma2 = 2 * sumOfSquares(x, xOff) / QK_K;
            // 2. per 16-value sub-block, on the signed values
            for (int ib = 0; ib < 16; ib++) {
                int xb = xOff + 16 * ib;
                // 2.1 weights; 2.2 empty sub-block (GROUP_MAX_EPS_IQ1_M)
                importanceWeights(x, xb, qw, qwOff + 16 * ib, sigma2, weight, 16);
                float max = Math.abs(x[xb]);
                for (int i = 1; i < 16; i++) {
                    float a = Math.abs(x[xb + i]);
                    max = max > a ? max : a;
                }
                if (max < 1e-7f) {
                    scales[ib] = 0;
                    shifts[ib] = 0;
                    continue;
                }
                // 2.3 stable sort; 2.4 prefix sums kept per half (each half has its own shift sign)
                stableSortByValue(x, xb, 16, idx);
                px[0] = px[17] = 0;
                pw[0] = pw[17] = 0;
                for (int j = 0; j < 16; j++) {
                    int i = idx[j];
                    int h = i < 8 ? 0 : 17;
                    int o = 17 - h;
                    px[h + j + 1] = px[h + j] + weight[i] * x[xb + i];
                    px[o + j + 1] = px[o + j];
                    pw[h + j + 1] = pw[h + j] + weight[i];
                    pw[o + j + 1] = pw[o + j];
                }
                // 2.5-2.6 every split, four shift patterns; with x[0]-x[1] = x[1]-x[2] = -1 a split's sum
                // collapses to T*x[2] - px[i1] - px[i2]
                float tx0 = px[16], tx1 = px[33], tw0 = pw[16], tw1 = pw[33];
                float best = -Float.MAX_VALUE;
                float scale = max;
                int besti1 = -1, besti2 = -1, bestK = -1;
                for (int i1 = 0; i1 <= 16; i1++) {
                    for (int i2 = i1; i2 <= 16; i2++) {
                        float s0 = px[i1] + px[i2];
                        float qxp0 = tx0 * P2 - s0, qxm0 = tx0 * M2 - s0;
                        float q2p0 = tw0 * P2 * P2 + pw[i1] * CP1 + pw[i2] * CP2;
                        float q2m0 = tw0 * M2 * M2 + pw[i1] * CM1 + pw[i2] * CM2;
                        float s1 = px[17 + i1] + px[17 + i2];
                        float qxp1 = tx1 * P2 - s1, qxm1 = tx1 * M2 - s1;
                        float q2p1 = tw1 * P2 * P2 + pw[17 + i1] * CP1 + pw[17 + i2] * CP2;
                        float q2m1 = tw1 * M2 * M2 + pw[17 + i1] * CM1 + pw[17 + i2] * CM2;
                        for (int k = 0; k < 4; k++) {
                            float sumqx = (k < 2 ? qxp0 : qxm0) + (k % 2 == 0 ? qxp1 : qxm1);
                            float sumq2 = (k < 2 ? q2p0 : q2m0) + (k % 2 == 0 ? q2p1 : q2m1);
                            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                                scale = sumqx / sumq2;
                                best = scale * sumqx;
                                besti1 = i1;
                                besti2 = i2;
                                bestK = k;
                            }
                        }
                    }
                }
                // 2.7 nothing accepted (all weights zero)
                if (bestK < 0) {
                    scales[ib] = 0;
                    shifts[ib] = 0;
                    continue;
                }
                // 2.8 the levels of the best split; a negative scale mirrors levels and both shifts
                for (int j = 0; j < 16; j++) {
                    L[idx[j]] = j < besti1 ? 0 : j < besti2 ? 1 : 2;
                }
                if (scale < 0) {
                    for (int j = 0; j < 16; j++) {
                        L[j] = 2 - L[j];
                    }
                    scale = -scale;
                    bestK = 3 - bestK;
                }
                // 2.9 each group's grid point, the nearest neighbour (with that group's values) when off the grid
                boolean allOnGrid = true;
                for (int k = 0; k < 2; k++) {
                    int u = 0;
                    for (int j = 0; j < 8; j++) {
                        u |= L[8 * k + j] << (2 * j);
                    }
                    int g = grid.gridIndex(u);
                    if (g < 0) {
                        allOnGrid = false;
                        g = grid.bestNeighbourIq1(u, x, xb + 8 * k, weight, 8 * k, scale, groupValues(bestK, k), L, 8 * k, terms);
                        if (g < 0) {
                            throw abort(block, ib, "GGML_ASSERT(grid_index >= 0) fails in iq1_find_best_neighbour2: no grid point fits group "
                                    + k + " (a NaN value, or errors that overflow to infinity)");
                        }
                    }
                    index[k] = g;
                }
                // 2.10 off-grid groups moved: re-fit the scale to the chosen points
                if (!allOnGrid) {
                    float sumqx = 0, sumq2 = 0;
                    for (int k = 0; k < 2; k++) {
                        float[] xx = groupValues(bestK, k);
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
                // 2.11 index low bytes to qs, high bits to the qh nibbles
                y[yOff + QS + 2 * ib] = (byte) index[0];
                y[yOff + QS + 2 * ib + 1] = (byte) index[1];
                y[yOff + QH + ib] = (byte) ((index[0] >>> 8) | ((index[1] >>> 8) << 4));
                if (!(scale >= 0)) {
                    throw abort(block, ib, "GGML_ASSERT(scale >= 0) fails: the sub-block scale is " + scale);
                }
                scales[ib] = scale;
                shifts[ib] = bestK;
                maxScale = maxScale > scale ? maxScale : scale;
            }
            // 3. no scale at all: the scales stay 0 (what the sub-blocks wrote stays, as in ggml)
            if (maxScale == 0) {
                return;
            }
            // 4. 3-bit sub-block scales and shift bits, and a least-squares refit of d to the whole block
            Arrays.fill(sc, 0);
            float d = maxScale / 15;
            float id = 1 / d;
            float sumqx = 0, sumq2 = 0;
            for (int ib = 0; ib < 16; ib++) {
                int l = QuantMath.nearestInt(0.5f * (id * scales[ib] - 1));
                l = Math.max(0, Math.min(7, l));
                sc[ib / 4] |= l << (3 * (ib % 4));
                int qh = (y[yOff + QH + ib] & 0xFF) | MASKS[shifts[ib]];
                y[yOff + QH + ib] = (byte) qh;
                int xb = xOff + 16 * ib;
                importanceWeights(x, xb, qw, qwOff + 16 * ib, sigma2, weight, 16);
                float ls = 2 * l + 1;
                for (int k = 0; k < 2; k++) {
                    // skipped sub-blocks take part too: shift 0, grid point 0
                    float[] xx = groupValues(shifts[ib], k);
                    int g = (y[yOff + QS + 2 * ib + k] & 0xFF) + ((qh << (8 - 4 * k)) & 0x700);
                    for (int j = 0; j < 8; j++) {
                        float w = weight[8 * k + j];
                        float q = xx[grid.level(g, j)] * ls;
                        sumqx += w * q * x[xb + 8 * k + j];
                        sumq2 += w * q * q;
                    }
                }
            }
            if (sumq2 > 0) {
                d = sumqx / sumq2;
            }
            // 5. the fp16 of d*1.1125 spread over the top nibbles of the four words
            int s = Fp16.fromFloat(d * 1.1125f) & 0xFFFF;
            sc[0] |= (s & 0x000F) << 12;
            sc[1] |= (s & 0x00F0) << 8;
            sc[2] |= (s & 0x0F00) << 4;
            sc[3] |= s & 0xF000;
            for (int i = 0; i < 4; i++) {
                QuantMath.putU16(y, yOff + SCALES + 2 * i, sc[i]);
            }
        }
    }

    /** The fp16 bits of the super-block scale, gathered from the top nibbles of the four scale words. */
    static int superScaleBits(byte[] b, int off) {
        int sc0 = QuantMath.u16(b, off + SCALES), sc1 = QuantMath.u16(b, off + SCALES + 2);
        int sc2 = QuantMath.u16(b, off + SCALES + 4), sc3 = QuantMath.u16(b, off + SCALES + 6);
        return (sc0 >>> 12) | ((sc1 >>> 8) & 0x00F0) | ((sc2 >>> 4) & 0x0F00) | (sc3 & 0xF000);
    }

    /** {@code ggml_validate_row_data} checks the gathered scale, IQ1_M having no plain {@code d}. */
    @Override
    boolean scaleNonFinite(byte[] block, int off) {
        return (superScaleBits(block, off) & 0x7C00) == 0x7C00;
    }

    @Override
    void decodeBlock(byte[] b, int off, float[] y, int yOff) {
        byte[] grid = IqGrids.iq1s();
        float d = Fp16.toFloat((short) superScaleBits(b, off));
        for (int ib = 0; ib < 8; ib++) {
            int sc = QuantMath.u16(b, off + SCALES + 2 * (ib / 2));
            int shift = 6 * (ib % 2);
            float dl1 = d * (2 * ((sc >>> shift) & 7) + 1);
            float dl2 = d * (2 * ((sc >>> (shift + 3)) & 7) + 1);
            for (int g = 0; g < 4; g++) {
                int qh = b[off + QH + 2 * ib + g / 2] & 0xFF;
                int nibble = (g % 2 == 0) ? qh & 0xF : qh >>> 4;
                int idx = ((b[off + QS + 4 * ib + g] & 0xFF) | (nibble & 7) << 8) * 8;
                float delta = (nibble & 8) != 0 ? -Iq1SCodec.DELTA : Iq1SCodec.DELTA;
                float dl = g < 2 ? dl1 : dl2;
                int o = yOff + 32 * ib + 8 * g;
                for (int j = 0; j < 8; j++) {
                    y[o + j] = dl * (grid[idx + j] + delta);
                }
            }
        }
    }
}
