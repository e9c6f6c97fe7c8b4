package dev.gguflens.quant.ref;

import java.util.Arrays;

/**
 * The candidate-scale search that IQ2_XS, IQ2_S and IQ3_XXS share (quantizers-imatrix.md §4.2 steps
 * 2.3–2.5; §4.3 and §4.4 run the same flow with their own grid, group shape and candidates): for each
 * candidate inverse scale {@code (2·kMaxQ - 1 + is·step)/max}, every group's levels, moved to the best
 * neighbouring grid point when off the grid; the first strictly better weighted fit wins; then only the
 * groups that ended off the grid are re-fitted to the chosen scale, and the scale to all groups.
 * One instance per encoder (it holds the search's scratch arrays).
 */
final class GridScaleSearch {
    private final WeightedIqCodec codec;
    private final IqGridIndex grid;
    private final int groups;
    private final int groupSize;
    private final int kMaxQ;
    private final int halfRange;
    private final float step;
    private final int values;
    /** Bits per level in a grid code: 2 (levels 0..2) or 3 (levels 0..7). */
    private final int bits;
    private final String searchName;
    private final int[] laux;
    private final boolean[] onGrid;
    private final boolean[] onGridAux;
    private final float[] terms;
    /** The list scan of a 3-bit grid (null on the 2-bit grids). */
    private final Iq3NeighbourSearch search3;

    /** A search over a 2-bit grid (see the other constructor). */
    GridScaleSearch(WeightedIqCodec codec, IqGridIndex grid, int groups, int groupSize, int kMaxQ, int halfRange,
                    float step, String searchName) {
        this(codec, grid, groups, groupSize, kMaxQ, halfRange, step, searchName, null);
    }

    /**
     * @param groups     groups per sub-block (2 of 8 values, or 8 of 4)
     * @param kMaxQ      levels 0..kMaxQ-1, positions 2l+1
     * @param halfRange  candidates {@code is = -halfRange .. halfRange}
     * @param step       the candidates' step ({@code 0.1f}, {@code 0.2f})
     * @param searchName ggml's neighbour search, for abort messages
     * @param search3    on a 3-bit grid, the scan of its neighbour lists (ignored on a 2-bit grid)
     */
    GridScaleSearch(WeightedIqCodec codec, IqGridIndex grid, int groups, int groupSize, int kMaxQ, int halfRange,
                    float step, String searchName, Iq3NeighbourSearch search3) {
        this.codec = codec;
        this.grid = grid;
        this.groups = groups;
        this.groupSize = groupSize;
        this.kMaxQ = kMaxQ;
        this.halfRange = halfRange;
        this.step = step;
        this.values = groups * groupSize;
        this.bits = 32 - Integer.numberOfLeadingZeros(kMaxQ - 1);
        this.searchName = searchName;
        this.laux = new int[values];
        this.onGrid = new boolean[groups];
        this.onGridAux = new boolean[groups];
        this.terms = grid.newScratch();
        this.search3 = bits == 3 ? search3 : null;
    }

    /**
     * The sub-block's scale for magnitudes {@code xval} (largest {@code max} > 0) with weights {@code weight}
     * and neighbour-search weights {@code waux}; its levels are left in {@code L}. {@code block} and {@code ib}
     * name the sub-block where ggml would abort.
     */
    float run(float[] xval, float[] weight, float[] waux, float max, int[] L, long block, int ib) {
        Arrays.fill(L, 0, values, 0);
        float best = 0;
        float scale = max / (2 * kMaxQ - 1);
        Arrays.fill(onGrid, true);
        for (int is = -halfRange; is <= halfRange; is++) {
            float id = (2 * kMaxQ - 1 + is * step) / max;
            float thisScale = 1 / id;
            for (int k = 0; k < groups; k++) {
                int u = groupLevels(xval, id, k, laux);
                onGridAux[k] = grid.gridIndex(u) >= 0;
                if (!onGridAux[k]) {
                    neighbour(xval, waux, u, k, thisScale, laux, block, ib);
                }
            }
            float sumqx = 0, sumq2 = 0;
            for (int i = 0; i < values; i++) {
                float w = weight[i];
                float q = 2 * laux[i] + 1;
                sumqx += w * xval[i] * q;
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                scale = sumqx / sumq2;
                best = scale * sumqx;
                System.arraycopy(laux, 0, L, 0, values);
                System.arraycopy(onGridAux, 0, onGrid, 0, groups);
            }
        }
        // only the off-grid groups are re-fitted to the chosen scale, then the scale to all groups
        boolean someOff = false;
        for (int k = 0; k < groups; k++) {
            someOff |= !onGrid[k];
        }
        if (someOff && scale > 0) {
            float id = 1 / scale;
            for (int k = 0; k < groups; k++) {
                if (onGrid[k]) {
                    continue;
                }
                int u = groupLevels(xval, id, k, L);
                if (grid.gridIndex(u) < 0) {
                    neighbour(xval, waux, u, k, scale, L, block, ib);
                }
            }
            float sumqx = 0, sumq2 = 0;
            for (int i = 0; i < values; i++) {
                float w = weight[i];
                float q = 2 * L[i] + 1;
                sumqx += w * xval[i] * q;
                sumq2 += w * q * q;
            }
            if (sumq2 > 0) {
                scale = sumqx / sumq2;
            }
        }
        return scale;
    }

    /** Group k's levels for the inverse scale {@code id}, written to {@code dst}; returns their grid code. */
    private int groupLevels(float[] xval, float id, int k, int[] dst) {
        int u = 0;
        for (int i = 0; i < groupSize; i++) {
            int l = WeightedIqCodec.level(id, xval[groupSize * k + i], kMaxQ - 1);
            dst[groupSize * k + i] = l;
            u |= l << (bits * i);
        }
        return u;
    }

    /** ggml's neighbour search for group k, writing its levels into {@code dst}. */
    private void neighbour(float[] xval, float[] waux, int u, int k, float scale, int[] dst, long block, int ib) {
        int off = groupSize * k;
        int g = search3 != null ? grid.bestNeighbour3(u, xval, off, waux, off, scale, dst, off, search3)
                : grid.bestNeighbour(u, xval, off, waux, off, scale, dst, off, terms);
        if (g < 0) {
            throw codec.abort(block, ib, "GGML_ASSERT(grid_index >= 0) fails in " + searchName + ": no grid point fits group "
                    + k + " (a NaN value, or errors that overflow to infinity)");
        }
    }
}
