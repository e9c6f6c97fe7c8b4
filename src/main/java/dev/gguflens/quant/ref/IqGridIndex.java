package dev.gguflens.quant.ref;

import java.util.Arrays;

/**
 * One quantizer grid as {@code ggml_quantize_init} builds it ({@code iq2xs_init_impl}, {@code iq3xs_init_impl};
 * quantizers-imatrix.md §2.5): the grid points' levels, the map from a code (the levels of one group packed
 * {@code bits} apiece) to its grid index, and, for each off-grid code, the list of grid points the
 * quantizers try instead, with the best-neighbour searches over such a list.
 *
 * <p>Built once per grid on first use (class-holder idiom: lazy, once, thread-safe) and immutable after.
 * A neighbour list holds every grid point whose integer squared distance {@code Σ (pos_i(j) - pos_i(c))²}
 * ({@code pos = 2l + 1}) to the code is one of its {@code nwant} smallest distinct distances, ordered by
 * (distance, grid index), exactly as ggml's total-order {@code qsort} leaves them. A counting sort over the
 * few possible distances gives that order directly: a grid builds in tens of milliseconds of CPU time (ggml's
 * sort-every-code init takes seconds).
 *
 * <p>On the 2-bit grids ggml also builds lists for codes holding a level 3 (its map covers codes below
 * 43692); no quantizer ever looks those up (levels are clamped to 0..2), so here they have empty lists.
 */
final class IqGridIndex {
    /** ggml's {@code kmap_size} for grids of eight 2-bit levels ({@code 2·(4^8 - 1)/3 + 2}). */
    static final int KMAP_SIZE_2BIT = 43692;
    /** ggml's {@code kmap_size} for grids of four 3-bit levels. */
    static final int KMAP_SIZE_3BIT = 4096;

    private final int points;
    private final int coords;
    private final int bits;
    private final int nwant;
    /** {@code levels[coords*j + i]} = level {@code l_i} of grid point j. */
    private final byte[] levels;
    /** 2-bit grids: {@code termIndex[8*j + i]} = {@code 3*i + l_i}, where point j's term for coordinate i sits. */
    private final byte[] termIndex;
    /** {@code >= 0}: the code's grid index; otherwise {@code -(offset + 1)} of its list in {@link #lists}. */
    private final int[] map;
    /** Neighbour lists back to back, each {@code [count, index_1 .. index_count]}; offset 0 is the empty list. */
    private final int[] lists;
    /** 3-bit grids: at each entry's slot of {@link #lists}, the indices of its four terms in {@link Iq3ScalarSearch}. */
    private final int[] slotTerms;
    /** 3-bit grids: the list entries' levels, as other scans of the lists read them. */
    private final Iq3Lists lists3;

    private IqGridIndex(byte[] kgrid, int points, int coords, int bits, int nwant, int mapSize) {
        this.points = points;
        this.coords = coords;
        this.bits = bits;
        this.nwant = nwant;
        int mask = (1 << bits) - 1;
        levels = new byte[points * coords];
        termIndex = new byte[points * coords];
        map = new int[mapSize];
        // every code starts as "off grid, empty list"; grid points and searchable codes overwrite this
        Arrays.fill(map, -1);
        for (int j = 0; j < points; j++) {
            int code = QuantMath.u16(kgrid, 2 * j);
            for (int i = 0; i < coords; i++) {
                int l = (code >>> (bits * i)) & mask;
                levels[coords * j + i] = (byte) l;
                termIndex[coords * j + i] = (byte) (3 * i + l); // meaningful for the 2-bit grids (l <= 2)
            }
            map[code] = j;
        }
        lists = buildNeighbourLists(mapSize);
        slotTerms = bits == 3 ? termSlots(lists) : null;
        lists3 = bits == 3 ? entryLevels() : null;
    }

    /** {@link #slotTerms} of a 3-bit grid's lists: entry j's term indices {@code 8i + l_i(j)}, a byte apiece. */
    private int[] termSlots(int[] lists) {
        int[] slots = new int[lists.length];
        for (int off = 1; off < lists.length; off += 1 + lists[off]) { // offset 0 is the empty list, never searched
            for (int t = 1; t <= lists[off]; t++) {
                int j = lists[off + t];
                slots[off + t] = level(j, 0) | (8 + level(j, 1)) << 8 | (16 + level(j, 2)) << 16 | (24 + level(j, 3)) << 24;
            }
        }
        return slots;
    }

    // ---- the grids, each built on first use ----

    /** {@code kgrid_2bit_256}: IQ2_XXS (nwant 2). */
    static IqGridIndex iq2xxs() {
        return Iq2xxs.INDEX;
    }

    /** {@code kgrid_2bit_512}: IQ2_XS (nwant 2). */
    static IqGridIndex iq2xs() {
        return Iq2xs.INDEX;
    }

    /** {@code kgrid_2bit_1024}: IQ2_S (nwant 1). */
    static IqGridIndex iq2s() {
        return Iq2s.INDEX;
    }

    /** {@code kgrid_1bit_2048}: IQ1_S and IQ1_M (nwant 3). */
    static IqGridIndex iq1s() {
        return Iq1s.INDEX;
    }

    /** {@code kgrid_256}: IQ3_XXS (nwant 2). */
    static IqGridIndex iq3xxs() {
        return Iq3xxs.INDEX;
    }

    /**
     * {@code kgrid_512}: IQ3_S (nwant 3), whose neighbour lists hash as ggml's in-memory lists do
     * (quantizers.md §3 IQ3_S, "Tables").
     */
    static IqGridIndex iq3s() {
        return Iq3s.INDEX;
    }

    private static final class Iq2xxs {
        static final IqGridIndex INDEX = twoBit("kgrid_2bit_256.txt", 256, 2);
    }

    private static final class Iq2xs {
        static final IqGridIndex INDEX = twoBit("kgrid_2bit_512.txt", 512, 2);
    }

    private static final class Iq2s {
        static final IqGridIndex INDEX = twoBit("kgrid_2bit_1024.txt", 1024, 1);
    }

    private static final class Iq1s {
        static final IqGridIndex INDEX = twoBit("kgrid_1bit_2048.txt", 2048, 3);
    }

    private static final class Iq3xxs {
        static final IqGridIndex INDEX = threeBit("kgrid_256.txt", 256, 2);
    }

    private static final class Iq3s {
        static final IqGridIndex INDEX = threeBit("kgrid_512.txt", 512, 3);
    }

    private static IqGridIndex twoBit(String file, int points, int nwant) {
        return new IqGridIndex(GridFile.load(file, "uint16_t", points), points, 8, 2, nwant, KMAP_SIZE_2BIT);
    }

    private static IqGridIndex threeBit(String file, int points, int nwant) {
        return new IqGridIndex(GridFile.load(file, "uint16_t", points), points, 4, 3, nwant, KMAP_SIZE_3BIT);
    }

    // ---- lookups ----

    /** Number of grid points. */
    int points() {
        return points;
    }

    /** Levels per grid point (8 or 4). */
    int coords() {
        return coords;
    }

    /** Size of the code map (ggml's {@code kmap_size}). */
    int mapSize() {
        return map.length;
    }

    /** How many distinct distances a neighbour list spans at most. */
    int nwant() {
        return nwant;
    }

    /** Level {@code i} of grid point {@code j}. */
    int level(int j, int i) {
        return levels[coords * j + i];
    }

    /** The code of grid point j: its levels packed {@code bits} apiece, level 0 lowest. */
    int code(int j) {
        int code = 0;
        for (int i = 0; i < coords; i++) {
            code |= level(j, i) << (bits * i);
        }
        return code;
    }

    /** The grid index of {@code code}, or -1 when the code is off the grid. */
    int gridIndex(int code) {
        int m = map[code];
        return m >= 0 ? m : -1;
    }

    /** The neighbour list of an off-grid code, in search order (a copy; empty for codes no quantizer looks up). */
    int[] neighbours(int code) {
        int m = map[code];
        if (m >= 0) {
            throw new IllegalArgumentException("code " + code + " is grid point " + m + ", it has no neighbour list");
        }
        int off = -m - 1;
        return Arrays.copyOfRange(lists, off + 1, off + 1 + lists[off]);
    }

    /** Scratch space for the searches of one encoder (the index itself is shared and immutable). */
    float[] newScratch() {
        return new float[coords * (1 << bits)];
    }

    /**
     * {@code iq2_find_best_neighbour} / {@code iq3_find_best_neighbour} for the off-grid {@code code}: the
     * first list entry with the strictly smallest {@code Σ (w*diff)*diff}, {@code diff = scale*pos - xval}
     * ({@code pos = 2l + 1}); its levels go to {@code L[lOff ..]}. Returns the grid index, or -1 when no error
     * is below {@code FLT_MAX} (a NaN or an overflow: ggml's {@code GGML_ASSERT(grid_index >= 0)} aborts there).
     */
    int bestNeighbour(int code, float[] xval, int xOff, float[] w, int wOff, float scale, int[] L, int lOff, float[] scratch) {
        if (bits == 2) {
            return bestOfThreeLevels(code, xval, xOff, w, wOff, scale * 1.0f, scale * 3.0f, scale * 5.0f, L, lOff, scratch);
        }
        return bestNeighbour3(code, xval, xOff, w, wOff, scale, L, lOff, scalarSearch());
    }

    /**
     * {@code iq3_find_best_neighbour} on a 3-bit grid with the given scan of the list: as
     * {@link #bestNeighbour}.
     */
    int bestNeighbour3(int code, float[] xval, int xOff, float[] w, int wOff, float scale, int[] L, int lOff,
                       Iq3NeighbourSearch search) {
        int off = -map[code] - 1;
        int t = search.best(xval, xOff, w, wOff, scale, off + 1, lists[off]);
        return chosen(t < 0 ? -1 : lists[off + 1 + t], L, lOff);
    }

    /** A new scalar scan of this 3-bit grid's lists (it holds scratch space: one per encoder). */
    Iq3NeighbourSearch scalarSearch() {
        return new Iq3ScalarSearch(slotTerms);
    }

    /** This 3-bit grid's list entries, for other scans of its lists. */
    Iq3Lists lists3() {
        return lists3;
    }

    private Iq3Lists entryLevels() {
        int[][] byCoord = new int[4][lists.length + Iq3Lists.PADDING];
        for (int off = 1; off < lists.length; off += 1 + lists[off]) { // offset 0 is the empty list, never searched
            for (int t = 1; t <= lists[off]; t++) {
                for (int i = 0; i < 4; i++) {
                    byCoord[i][off + t] = level(lists[off + t], i);
                }
            }
        }
        return new Iq3Lists(byCoord);
    }

    /**
     * {@code iq1_find_best_neighbour2} for the off-grid {@code code}: as {@link #bestNeighbour} with
     * {@code diff = scale*xx[l] - x} ({@code x} signed, {@code w} the plain weight). Returns -1 where ggml
     * would fall back to scanning the whole grid (no error below {@code FLT_MAX}: only NaN or overflowing
     * inputs), a fallback that reads out of bounds in ggml and is not ported.
     */
    int bestNeighbourIq1(int code, float[] x, int xOff, float[] w, int wOff, float scale, float[] xx, int[] L, int lOff,
                         float[] scratch) {
        return bestOfThreeLevels(code, x, xOff, w, wOff, scale * xx[0], scale * xx[1], scale * xx[2], L, lOff, scratch);
    }

    /**
     * The search over a 2-bit grid, whose points use levels 0..2 only: each term {@code (w*diff)*diff} can
     * take 3 values per coordinate, so the 24 are computed once and every candidate's error is the
     * sequential sum of 8 of them, the same floats added in the same order as ggml adds them.
     */
    private int bestOfThreeLevels(int code, float[] x, int xOff, float[] w, int wOff, float v0, float v1, float v2,
                                  int[] L, int lOff, float[] terms) {
        for (int i = 0; i < 8; i++) {
            float xi = x[xOff + i], wi = w[wOff + i];
            float d0 = v0 - xi, d1 = v1 - xi, d2 = v2 - xi;
            terms[3 * i] = wi * d0 * d0;
            terms[3 * i + 1] = wi * d1 * d1;
            terms[3 * i + 2] = wi * d2 * d2;
        }
        int off = -map[code] - 1;
        int n = lists[off];
        float best = Float.MAX_VALUE;
        int g = -1;
        for (int t = 1; t <= n; t++) {
            int j = lists[off + t];
            int p = 8 * j;
            float d2 = 0f + terms[termIndex[p]]; // from 0 as in ggml (only a -0.0 term could tell)
            d2 += terms[termIndex[p + 1]];
            d2 += terms[termIndex[p + 2]];
            d2 += terms[termIndex[p + 3]];
            d2 += terms[termIndex[p + 4]];
            d2 += terms[termIndex[p + 5]];
            d2 += terms[termIndex[p + 6]];
            d2 += terms[termIndex[p + 7]];
            if (d2 < best) {
                best = d2;
                g = j;
            }
        }
        return chosen(g, L, lOff);
    }

    /** Writes the levels of grid point {@code g} (if any) to {@code L[lOff ..]}; returns g. */
    private int chosen(int g, int[] L, int lOff) {
        if (g >= 0) {
            for (int i = 0; i < coords; i++) {
                L[lOff + i] = levels[coords * g + i];
            }
        }
        return g;
    }

    // ---- construction of the neighbour lists ----

    /**
     * The lists of every off-grid code whose levels the quantizers can produce, laid out as ggml does
     * ({@code [count, indices...]} in increasing code order), with {@link #map} pointing at them.
     */
    private int[] buildNeighbourLists(int mapSize) {
        int levelCount = bits == 2 ? 3 : 8; // the quantizers clamp 2-bit levels to 0..2
        int halfCoords = coords / 2;
        int halfBits = bits * halfCoords;
        int halfMask = (1 << halfBits) - 1;
        // each grid point's two half-codes, so a distance is two table lookups
        int[] lowHalf = new int[points];
        int[] highHalf = new int[points];
        for (int j = 0; j < points; j++) {
            int c = code(j);
            lowHalf[j] = c & halfMask;
            highHalf[j] = c >>> halfBits;
        }
        int maxPos = 2 * ((1 << bits) - 1) + 1;
        int maxD2 = coords * (maxPos - 1) * (maxPos - 1);
        int[] lowDist = new int[1 << halfBits];
        int[] highDist = new int[1 << halfBits];
        int[] d2 = new int[points];
        int[] count = new int[maxD2 + 1];
        int[] next = new int[maxD2 + 1];
        int[] out = new int[1 + 4096];
        out[0] = 0; // the empty list at offset 0, for codes never looked up
        int used = 1;
        for (int c = 0; c < mapSize; c++) {
            if (map[c] >= 0 || !levelsBelow(c, levelCount)) {
                continue;
            }
            // distances from c's point to every half-code, then to every grid point
            halfDistances(c & halfMask, halfCoords, lowDist);
            halfDistances(c >>> halfBits, halfCoords, highDist);
            Arrays.fill(count, 0);
            for (int j = 0; j < points; j++) {
                int d = lowDist[lowHalf[j]] + highDist[highHalf[j]];
                d2[j] = d;
                count[d]++;
            }
            // the nwant smallest distinct distances; entries at larger distances are dropped
            int n = 0;
            int nhave = 0;
            int limit = -1;
            for (int d = 0; d <= maxD2 && nhave < nwant; d++) {
                if (count[d] > 0) {
                    next[d] = n;
                    n += count[d];
                    nhave++;
                    limit = d;
                }
            }
            if (used + 1 + n > out.length) {
                out = Arrays.copyOf(out, Math.max(2 * out.length, used + 1 + n));
            }
            map[c] = -(used + 1);
            out[used] = n;
            // counting sort: ascending j within each distance, distances ascending = ggml's (d2, j) order
            for (int j = 0; j < points; j++) {
                int d = d2[j];
                if (d <= limit) {
                    out[used + 1 + next[d]++] = j;
                }
            }
            used += 1 + n;
        }
        return Arrays.copyOf(out, used);
    }

    /** Whether every level of {@code code} is below {@code levelCount}. */
    private boolean levelsBelow(int code, int levelCount) {
        int mask = (1 << bits) - 1;
        for (int i = 0; i < coords; i++) {
            if (((code >>> (bits * i)) & mask) >= levelCount) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code dist[h]} = squared distance between the positions {@code 2l+1} of the {@code halfCoords}
     * levels packed in {@code half} and those packed in {@code h}, for every half-code h.
     */
    private void halfDistances(int half, int halfCoords, int[] dist) {
        int mask = (1 << bits) - 1;
        for (int h = 0; h < dist.length; h++) {
            int d = 0;
            for (int i = 0; i < halfCoords; i++) {
                int diff = 2 * (((h >>> (bits * i)) & mask) - ((half >>> (bits * i)) & mask));
                d += diff * diff;
            }
            dist[h] = d;
        }
    }
}
