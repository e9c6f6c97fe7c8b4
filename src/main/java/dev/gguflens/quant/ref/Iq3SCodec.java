package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.ImportanceUse;
import java.util.Arrays;
import java.util.function.Function;

/**
 * IQ3_S: {@code quantize_row_iq3_s_impl(32, x, y, n, quant_weights = NULL)} and {@code dequantize_row_iq3_s}
 * (quantizers.md §3 "IQ3_S", ggml-types.md §5). Block of 256 values, 110 bytes: {@code d} f16 @0,
 * {@code qs[64]} @2, {@code qh[8]} @66, {@code signs[32]} @74, {@code scales[4]} @106.
 *
 * <p>Reproduces ggml's two quirks: an all-zero sub-block does not advance the {@code qs}/{@code signs}
 * write cursors, so later sub-blocks land 8 and 4 bytes early (trap a); and where ggml's
 * {@code GGML_ASSERT}s would kill the process (NaN, infinite or huge inputs), this throws
 * {@link CodecAbortException} instead (trap f).
 */
final class Iq3SCodec implements BlockCodec {
    static final int QK_K = 256;
    static final int BLOCK_BYTES = 110;
    static final int QS = 2, QH = 66, SIGNS = 74, SCALES = 106;
    /** {@code kMaxQ}: 8 levels, magnitudes 2l+1 = 1..15. */
    private static final int K_MAX_Q = 8;
    private static final int SUB = 32;
    /** {@code Q[l] = 2l + 1} as a float. */
    private static final float[] Q = {1, 3, 5, 7, 9, 11, 13, 15};

    /** Each call's scan of the neighbour lists, made from the grid's lists; null: the scalar scan. */
    private final Function<Iq3Lists, Iq3NeighbourSearch> searches;

    /** The reference: scalar neighbour scans. */
    Iq3SCodec() {
        this(null);
    }

    /** With the neighbour scans {@code searches} makes (see {@link Iq3Codecs}). */
    Iq3SCodec(Function<Iq3Lists, Iq3NeighbourSearch> searches) {
        this.searches = searches;
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ3_S;
    }

    private Search newSearch() {
        IqGridIndex grid = IqGridIndex.iq3s();
        return new Search(grid, searches == null ? grid.scalarSearch() : searches.apply(grid.lists3()));
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        Search s = newSearch();
        for (int b = 0; b < n / QK_K; b++) {
            s.quantizeBlock(src, srcOff + b * QK_K, dst, dstOff + b * BLOCK_BYTES, b, null, 0);
        }
    }

    @Override
    public ImportanceUse importanceUse() {
        return ImportanceUse.USED;
    }

    /**
     * With weights, {@code quantize_iq3_s} runs the same code per row with each sub-block's weights
     * {@code qw·sqrtf(sigma2 + x²)}, {@code sigma2 = (2·Σx²)/256} over the super-block (quantizers-imatrix.md §4.5).
     */
    @Override
    public void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow, float[] qw, int qwOff) {
        Search s = newSearch();
        ImportanceWeights.forEachBlock(type(), srcOff, dstOff, nRows, nPerRow, qw, qwOff,
                (xo, yo, qo, block) -> s.quantizeBlock(src, xo, dst, yo, Math.toIntExact(block), qw, qo));
    }

    /** Scratch state of one quantize call (the codec itself stays stateless and thread-safe). */
    private static final class Search {
        final IqGridIndex t;
        final float[] w = new float[SUB];     // weight[i]: x*x, or qw*sqrtf(sigma2 + x*x) with an imatrix
        final float[] wa = new float[SUB];    // waux[i] = sqrtf(weight[i])
        final float[] a = new float[SUB];     // xval: |x|, sign kept apart
        final float[] wa2 = new float[SUB];   // weight[i]*xval[i]
        final int[] sb = new int[4];          // block_signs
        final int[] l = new int[SUB];         // L: the accepted levels
        final int[] la = new int[SUB];        // Laux: the candidate's levels
        final boolean[] on = new boolean[8];  // is_on_grid
        final boolean[] ona = new boolean[8]; // is_on_grid_aux
        final float[] scales = new float[8];
        final int[] lv = new int[4];
        final Iq3NeighbourSearch neighbours;

        Search(IqGridIndex t, Iq3NeighbourSearch neighbours) {
            this.t = t;
            this.neighbours = neighbours;
        }

        /**
         * Steps 1-5 of the section, for block {@code blockIndex} of this call (which error messages name);
         * {@code qw[qo ..]} are the importance values of the block's 256 columns, or {@code qw} is null.
         */
        void quantizeBlock(float[] x, int xo, byte[] y, int yo, int blockIndex, float[] qw, int qo) {
            // 1. all 110 bytes zero; d = FP16(0)
            Arrays.fill(y, yo, yo + BLOCK_BYTES, (byte) 0);
            int qpos = 0, spos = 0;
            float maxScale = 0;
            // sigma2 = (2·Σx²)/256 over the super-block: only the importance weights use it
            float sigma2 = qw == null ? 0 : 2 * ImportanceWeights.sumOfSquares(x, xo, QK_K) / QK_K;
            for (int ib = 0; ib < 8; ib++) {
                int xb = xo + SUB * ib;
                // 2.1 weights: x*x, rounded (no imatrix) or qw*sqrtf(sigma2 + x²) (imatrix, §4.5); then the
                // square root of each (not |x|)
                if (qw == null) {
                    for (int i = 0; i < SUB; i++) {
                        w[i] = x[xb + i] * x[xb + i];
                    }
                } else {
                    ImportanceWeights.fill(w, 0, qw, qo + SUB * ib, sigma2, x, xb, SUB);
                }
                for (int i = 0; i < SUB; i++) {
                    wa[i] = (float) Math.sqrt(w[i]);
                }
                // 2.2 signs apart; -0 is >= 0 (no bit), NaN is not (bit set)
                Arrays.fill(sb, 0);
                for (int i = 0; i < SUB; i++) {
                    float v = x[xb + i];
                    if (v >= 0) {
                        a[i] = v;
                    } else {
                        a[i] = -v;
                        sb[i / 8] |= 1 << (i % 8);
                    }
                }
                // 2.3 C's MAX(amax, a): a NaN takes over, and the next element replaces it
                float amax = a[0];
                for (int i = 1; i < SUB; i++) {
                    amax = amax > a[i] ? amax : a[i];
                }
                // 2.4 empty sub-block: nothing written and the cursors do not move (trap a, ggml's bug)
                if (amax == 0) {
                    scales[ib] = 0;
                    continue;
                }
                float scale = searchScale(amax, blockIndex, ib);
                // 2.6 refinement when some group is off the grid (on-grid groups redone too); not compared with best
                boolean someOff = false;
                for (int k = 0; k < 8; k++) {
                    someOff |= !on[k];
                }
                if (someOff && scale > 0) {
                    float id = 1.0f / scale;
                    for (int k = 0; k < 8; k++) {
                        int key = levelsKey(id, k);
                        if (t.gridIndex(key) >= 0) {
                            System.arraycopy(lv, 0, l, 4 * k, 4);
                        } else {
                            nearest(key, k, scale, l, blockIndex, ib);
                        }
                    }
                    float sumqx = 0, sumq2 = 0;
                    for (int i = 0; i < SUB; i++) {
                        float q = 2 * l[i] + 1;
                        sumqx += w[i] * a[i] * q;
                        sumq2 += w[i] * q * q;
                    }
                    if (sumq2 > 0) {
                        scale = sumqx / sumq2;
                    }
                }
                // 2.7 (scale < 0 cannot happen: sumqx >= 0); NaN fails GGML_ASSERT(scale >= 0)
                if (!(scale >= 0)) {
                    throw abort(blockIndex, ib, "GGML_ASSERT(scale >= 0) fails: the sub-block scale is " + scale
                            + " (a NaN or infinite value in the sub-block)");
                }
                // 2.8 store at the cursors; the qh bits go to qh[ib] regardless of the cursor
                for (int k = 0; k < 8; k++) {
                    int j = t.gridIndex(key(l[4 * k], l[4 * k + 1], l[4 * k + 2], l[4 * k + 3]));
                    y[yo + QS + qpos + k] = (byte) j;
                    y[yo + QH + ib] |= (byte) ((j >>> 8) << k);
                }
                for (int k = 0; k < 4; k++) {
                    y[yo + SIGNS + spos + k] = (byte) sb[k];
                }
                qpos += 8;
                spos += 4;
                scales[ib] = scale;
                maxScale = maxScale > scale ? maxScale : scale;
            }
            // 3. no scale at all: d stays 0, the scales bytes 0
            if (maxScale == 0) {
                return;
            }
            // 4. d is stored 1.033 times larger than the dd the nibbles are computed with (trap b)
            float dd = maxScale / 31.0f;
            QuantMath.putU16(y, yo, Fp16.fromFloat(dd * 1.033f));
            float id = 1.0f / dd;
            // 5. 4-bit sub-block scales, two per byte
            for (int ib = 0; ib < 8; ib += 2) {
                int n0 = clamp(QuantMath.nearestInt(0.5f * (id * scales[ib] - 1.0f)), 0, 15);
                int n1 = clamp(QuantMath.nearestInt(0.5f * (id * scales[ib + 1] - 1.0f)), 0, 15);
                y[yo + SCALES + ib / 2] = (byte) (n0 | n1 << 4);
            }
        }

        /** 2.5: the 19 candidate scales {@code (15 + 0.2s)/amax}, s = -9..9; the first strictly best wins. Fills {@code l}, {@code on}. */
        private float searchScale(float amax, int blockIndex, int ib) {
            float scale = amax / (2 * K_MAX_Q - 1);
            float best = 0;
            Arrays.fill(l, 0);
            Arrays.fill(on, false);
            for (int i = 0; i < SUB; i++) {
                wa2[i] = w[i] * a[i];
            }
            for (int s = -9; s <= 9; s++) {
                float id = (2 * K_MAX_Q - 1 + s * 0.2f) / amax;
                float thisScale = 1.0f / id;
                for (int k = 0; k < 8; k++) {
                    int key = levelsKey(id, k);
                    int j = t.gridIndex(key);
                    ona[k] = j >= 0;
                    if (j >= 0) {
                        System.arraycopy(lv, 0, la, 4 * k, 4);
                    } else {
                        nearest(key, k, thisScale, la, blockIndex, ib);
                    }
                }
                // (w*a)*q and (w*q)*q summed in i order, as ggml; w*a is the same product for every candidate
                float sumqx = 0, sumq2 = 0;
                for (int i = 0; i < SUB; i++) {
                    float q = Q[la[i]];
                    sumqx += wa2[i] * q;
                    sumq2 += w[i] * q * q;
                }
                if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                    scale = sumqx / sumq2;
                    best = scale * sumqx;
                    System.arraycopy(la, 0, l, 0, SUB);
                    System.arraycopy(ona, 0, on, 0, 8);
                }
            }
            return scale;
        }

        /** The levels {@code clamp(NI(0.5*(id*a - 1)), 0, 7)} of group k, left in {@code lv}; returns their key. */
        private int levelsKey(float id, int k) {
            for (int i = 0; i < 4; i++) {
                lv[i] = clamp(QuantMath.nearestInt(0.5f * (id * a[4 * k + i] - 1.0f)), 0, K_MAX_Q - 1);
            }
            return key(lv[0], lv[1], lv[2], lv[3]);
        }

        /**
         * {@code iq3_find_best_neighbour} for group k: the levels of the first candidate of the key's list with
         * the strictly smallest weighted error {@code Σ (wa*diff)*diff}, {@code diff = sc*G - a}, written to group
         * k of {@code dst}. None (every error NaN or +Inf) is ggml's {@code GGML_ASSERT(grid_index >= 0)}.
         */
        private void nearest(int key, int k, float sc, int[] dst, int blockIndex, int ib) {
            if (t.bestNeighbour3(key, a, 4 * k, wa, 4 * k, sc, dst, 4 * k, neighbours) < 0) {
                throw abort(blockIndex, ib, "GGML_ASSERT(grid_index >= 0) fails in iq3_find_best_neighbour: no grid point fits group "
                        + k + " (a NaN value, or errors that overflow to infinity)");
            }
        }
    }

    /** The map key of four levels 0..7: {@code l0 | l1<<3 | l2<<6 | l3<<9}. */
    private static int key(int l0, int l1, int l2, int l3) {
        return l0 | l1 << 3 | l2 << 6 | l3 << 9;
    }

    private static CodecAbortException abort(int blockIndex, int ib, String what) {
        return new CodecAbortException("IQ3_S: ggml would abort the process (SIGABRT) quantizing block " + blockIndex
                + ", values " + (blockIndex * QK_K + SUB * ib) + ".." + (blockIndex * QK_K + SUB * ib + SUB - 1) + ": " + what);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        byte[] grid = IqGrids.iq3s();
        for (int blk = 0; blk < n / QK_K; blk++) {
            int off = srcOff + blk * BLOCK_BYTES;
            float d = QuantMath.f16(src, off);
            for (int ib = 0; ib < 8; ib++) {
                int sc = src[off + SCALES + ib / 2] & 0xFF;
                int nib = ib % 2 == 0 ? sc & 0xF : sc >>> 4;
                float db = d * (1 + 2 * nib);
                int qh = src[off + QH + ib] & 0xFF;
                for (int g = 0; g < 4; g++) {
                    int g1 = ((src[off + QS + 8 * ib + 2 * g] & 0xFF) | ((qh >>> (2 * g)) & 1) << 8) * 4;
                    int g2 = ((src[off + QS + 8 * ib + 2 * g + 1] & 0xFF) | ((qh >>> (2 * g + 1)) & 1) << 8) * 4;
                    int signs = src[off + SIGNS + 4 * ib + g];
                    int o = dstOff + blk * QK_K + 32 * ib + 8 * g;
                    for (int j = 0; j < 4; j++) {
                        y(dst, o + j, db * (grid[g1 + j] & 0xFF), signs, j);
                        y(dst, o + 4 + j, db * (grid[g2 + j] & 0xFF), signs, j + 4);
                    }
                }
            }
        }
    }

    /** {@code y = (db*grid)*(±1)}: the sign is a float multiply, as in ggml (it matters for NaN and zero signs). */
    private static void y(float[] dst, int i, float magnitude, int signs, int j) {
        dst[i] = magnitude * ((signs & (1 << j)) != 0 ? -1.0f : 1.0f);
    }

    /** {@code ggml_validate_row_data}: the fp16 {@code d} must be finite. */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, 0);
    }
}
