package dev.gguflens.quant.ref;

import java.util.Arrays;

/**
 * The IQ3_S quantizer's search tables, as {@code ggml_quantize_init(IQ3_S)} ({@code iq3xs_init_impl(512)})
 * builds them (quantizers.md §3 IQ3_S, "Tables"): the grid's levels, a map from every 4-level key to its
 * grid index, and for each off-grid key the list of nearest grid points to try.
 *
 * <p>Immutable once built; {@link #get()} builds them on first use (class-holder idiom: lazy, once, thread-safe).
 */
final class Iq3sSearchTables {
    static final int GRID_SIZE = 512;
    static final int KEYS = 1 << 12;

    /** {@code G[j][i]} flattened: {@code grid[4j + i]}, odd magnitudes 1..15. */
    private final int[] grid = new int[4 * GRID_SIZE];
    /** Grid index of each key, or -1 for an off-grid key. */
    private final int[] map = new int[KEYS];
    /** Neighbour list (grid indices, in search order) of each off-grid key; null for on-grid keys. */
    private final int[][] neighbours = new int[KEYS][];

    private Iq3sSearchTables(byte[] iq3sGrid) {
        Arrays.fill(map, -1);
        for (int j = 0; j < GRID_SIZE; j++) {
            int key = 0;
            for (int i = 0; i < 4; i++) {
                int g = iq3sGrid[4 * j + i] & 0xFF;
                grid[4 * j + i] = g;
                key |= ((g - 1) / 2) << (3 * i);
            }
            map[key] = j;
        }
        for (int key = 0; key < KEYS; key++) {
            if (map[key] < 0) {
                neighbours[key] = neighboursOf(key);
            }
        }
    }

    /** The tables, built from {@code iq3s_grid} on first use. */
    static Iq3sSearchTables get() {
        return Holder.TABLES;
    }

    private static final class Holder {
        static final Iq3sSearchTables TABLES = new Iq3sSearchTables(IqGrids.iq3s());
    }

    /** {@code key = l0 | l1<<3 | l2<<6 | l3<<9} for four levels 0..7. */
    static int key(int l0, int l1, int l2, int l3) {
        return l0 | l1 << 3 | l2 << 6 | l3 << 9;
    }

    /** Grid index of {@code key}, or -1 when the key is off the grid. */
    int gridIndex(int key) {
        return map[key];
    }

    /** Magnitude {@code i} (0..3) of grid point {@code j}: {@code 2*level + 1}. */
    int magnitude(int j, int i) {
        return grid[4 * j + i];
    }

    /** The candidates tried for an off-grid key, in order; must not be modified. */
    int[] neighbours(int key) {
        return neighbours[key];
    }

    /**
     * Every grid point whose squared integer distance to the key's point {@code 2l+1} is one of the three
     * smallest distinct distances, ordered by distance then grid index (so ties never depend on a sort).
     */
    private int[] neighboursOf(int key) {
        long[] byDistance = new long[GRID_SIZE];
        for (int j = 0; j < GRID_SIZE; j++) {
            int dist = 0;
            for (int i = 0; i < 4; i++) {
                int p = 2 * ((key >>> (3 * i)) & 7) + 1;
                int diff = grid[4 * j + i] - p;
                dist += diff * diff;
            }
            byDistance[j] = (long) dist << 16 | j;
        }
        Arrays.sort(byDistance);
        int distinct = 0;
        long last = -1;
        int n = 0;
        for (long e : byDistance) {
            long dist = e >>> 16;
            if (dist != last) {
                if (++distinct > 3) {
                    break;
                }
                last = dist;
            }
            n++;
        }
        int[] list = new int[n];
        for (int k = 0; k < n; k++) {
            list[k] = (int) (byDistance[k] & 0xFFFF);
        }
        return list;
    }
}
