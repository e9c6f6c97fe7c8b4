package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.quant.QuantVectors;
import java.io.ByteArrayOutputStream;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The quantizer grids as {@code ggml_quantize_init} builds them (quantizers-imatrix.md §2.5): sizes, the map,
 * and the neighbour lists. The list hashes were computed separately from {@code reference/grids/kgrid_*.txt}
 * with a plain sort-all-pairs implementation of §2.5 (not this code); for {@code kgrid_512} that hash is
 * also the one quantizers.md §3 took from ggml's own memory.
 */
class IqGridIndexTest {

    /** grid, points, kmap size, nwant, off-grid codes with levels the quantizers produce, list entries, shortest, longest, hash. */
    static Stream<Arguments> grids() {
        return Stream.of(
                grid("kgrid_2bit_256", IqGridIndex::iq2xxs, 256, 43692, 2, 6305, 113157, 2, 150,
                        "74a188b8f41773b0784ff32a84f307208cd824008a13bf0e93868ac1bf50b1d2"),
                grid("kgrid_2bit_512", IqGridIndex::iq2xs, 512, 43692, 2, 6049, 181721, 2, 292,
                        "ad5729a5fd181723acdcdd00c6bd368a3448b9d30fc8780eb43c125d5bb55679"),
                grid("kgrid_2bit_1024", IqGridIndex::iq2s, 1024, 43692, 1, 5537, 44716, 1, 70,
                        "61aecb7dfb3f7529183c6a3d1ce6c1d51012d91bf18f24fe829ebf548fb56a20"),
                grid("kgrid_1bit_2048", IqGridIndex::iq1s, 2048, 43692, 3, 4513, 327721, 12, 205,
                        "51b9520579f6ff55c7501a989181a30679c304c8c7fe8da9daf23460089affe7"),
                grid("kgrid_256", IqGridIndex::iq3xxs, 256, 4096, 2, 3840, 18985, 2, 36,
                        "4b54395c1c3e9766e6cbb7f2f84a3ebb43d9ca391bd344e517577c3c3c3fa01a"),
                grid("kgrid_512", IqGridIndex::iq3s, 512, 4096, 3, 3584, 24733, 3, 38,
                        "662208b0d2ce2fa3346c5fb672db4be13bc06f87c78775acfc435550935b5d89"));
    }

    private static Arguments grid(String name, Supplier<IqGridIndex> g, Object... facts) {
        Object[] args = new Object[facts.length + 2];
        args[0] = name;
        args[1] = g;
        System.arraycopy(facts, 0, args, 2, facts.length);
        return Arguments.of(args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("grids")
    void sizesMapAndNeighbourListsAreGgmls(String name, Supplier<IqGridIndex> grid, int points, int kmapSize, int nwant,
                                           int searchable, int entries, int shortest, int longest, String sha256) {
        IqGridIndex g = grid.get();
        assertEquals(points, g.points());
        assertEquals(kmapSize, g.mapSize());
        assertEquals(nwant, g.nwant());
        // every grid point's code maps back to it, and only the grid points are on the grid
        int onGrid = 0;
        for (int j = 0; j < points; j++) {
            assertEquals(j, g.gridIndex(g.code(j)), name + " point " + j);
        }
        for (int c = 0; c < kmapSize; c++) {
            onGrid += g.gridIndex(c) >= 0 ? 1 : 0;
        }
        assertEquals(points, onGrid);
        // the lists of the codes the quantizers can produce, serialized as count and indices (uint16 LE)
        int maxLevel = g.coords() == 8 ? 2 : 7;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 0, total = 0, min = Integer.MAX_VALUE, max = 0;
        for (int c = 0; c < kmapSize; c++) {
            if (g.gridIndex(c) >= 0 || maxLevelOf(c, g.coords()) > maxLevel) {
                continue;
            }
            int[] list = g.neighbours(c);
            n++;
            total += list.length;
            min = Math.min(min, list.length);
            max = Math.max(max, list.length);
            putU16(out, list.length);
            for (int j : list) {
                putU16(out, j);
            }
        }
        assertEquals(searchable, n);
        assertEquals(entries, total);
        assertEquals(shortest, min);
        assertEquals(longest, max);
        assertEquals(sha256, QuantVectors.sha256(out.toByteArray()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("grids")
    void eachListHoldsExactlyTheNwantNearestDistancesInDistanceThenIndexOrder(String name, Supplier<IqGridIndex> grid, int points,
                                                                            int kmapSize, int nwant) {
        IqGridIndex g = grid.get();
        int maxLevel = g.coords() == 8 ? 2 : 7;
        for (int c = 0; c < kmapSize; c += 7) {
            if (g.gridIndex(c) >= 0 || maxLevelOf(c, g.coords()) > maxLevel) {
                continue;
            }
            int[] list = g.neighbours(c);
            TreeSet<Integer> distinct = new TreeSet<>();
            int lastD = -1, lastJ = -1;
            for (int j : list) {
                int d = distance(g, c, j);
                assertTrue(d > lastD || (d == lastD && j > lastJ), name + " code " + c + ": order (d2, index)");
                lastD = d;
                lastJ = j;
                distinct.add(d);
            }
            assertEquals(nwant, distinct.size(), name + " code " + c + ": distinct distances");
            // complete: a grid point left out is farther than the farthest kept
            int kept = 0;
            for (int j = 0; j < points; j++) {
                if (distance(g, c, j) <= distinct.last()) {
                    kept++;
                }
            }
            assertEquals(list.length, kept, name + " code " + c + ": every point within the nwant distances");
        }
    }

    @Test
    void handCheckedLists() {
        // kgrid_256 (nwant 2), code 5 = levels (5,0,0,0), positions (11,1,1,1). Grid point 2 is code 4 =
        // (4,0,0,0): distance (11-9)^2 = 4. Nothing lies at 8..16; at 20 (= 4^2 + 2^2) lie points 4 (3,1,0,0),
        // 5, 13, 17, 25, 59 and 108.
        assertArrayEquals(new int[] {2, 4, 5, 13, 17, 25, 59, 108}, IqGridIndex.iq3xxs().neighbours(5));
        assertEquals(4, IqGridIndex.iq3xxs().code(2));
        assertEquals(3 | 1 << 3, IqGridIndex.iq3xxs().code(4));
        // kgrid_2bit_1024 (nwant 1): code 26 = levels (2,2,1,0,...): only the four points at distance 4
        assertArrayEquals(new int[] {4, 7, 8, 479}, IqGridIndex.iq2s().neighbours(26));
        // kgrid_2bit_256 (nwant 2): code 6 = levels (2,1,0,...): three points at 4, then eleven at 12
        assertArrayEquals(new int[] {1, 2, 4, 5, 11, 21, 24, 32, 38, 46, 49, 72, 132, 140}, IqGridIndex.iq2xxs().neighbours(6));
        // codes with a level 3 are never searched: empty lists
        assertEquals(0, IqGridIndex.iq2xxs().neighbours(3).length);
        assertThrows(IllegalArgumentException.class, () -> IqGridIndex.iq2xxs().neighbours(0), "code 0 is grid point 0");
    }

    @Test
    void bestNeighbourTakesTheFirstStrictMinimumAndWritesItsLevels() {
        IqGridIndex g = IqGridIndex.iq3xxs();
        // code 5's candidates: point 2 (4,0,0,0) and the distance-20 ring. With x = positions of point 4
        // (3,1,0,0) -> (7,3,1,1) at scale 1, point 4 fits exactly and wins over point 2.
        float[] xval = {7, 3, 1, 1};
        float[] w = {1, 1, 1, 1};
        int[] L = new int[4];
        assertEquals(4, g.bestNeighbour(5, xval, 0, w, 0, 1.0f, L, 0, g.newScratch()));
        assertArrayEquals(new int[] {3, 1, 0, 0}, L);
        // all weights zero: every error is 0, the first list entry wins
        assertEquals(2, g.bestNeighbour(5, xval, 0, new float[4], 0, 1.0f, L, 0, g.newScratch()));
        assertArrayEquals(new int[] {4, 0, 0, 0}, L);
        // a NaN value: no error is below FLT_MAX (ggml asserts)
        assertEquals(-1, g.bestNeighbour(5, new float[] {Float.NaN, 1, 1, 1}, 0, w, 0, 1.0f, L, 0, g.newScratch()));
    }

    private static int distance(IqGridIndex g, int code, int j) {
        int bits = g.coords() == 8 ? 2 : 3;
        int d = 0;
        for (int i = 0; i < g.coords(); i++) {
            int diff = 2 * (g.level(j, i) - ((code >>> (bits * i)) & ((1 << bits) - 1)));
            d += diff * diff;
        }
        return d;
    }

    private static int maxLevelOf(int code, int coords) {
        int bits = coords == 8 ? 2 : 3;
        int max = 0;
        for (int i = 0; i < coords; i++) {
            max = Math.max(max, (code >>> (bits * i)) & ((1 << bits) - 1));
        }
        return max;
    }

    private static void putU16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
    }
}
