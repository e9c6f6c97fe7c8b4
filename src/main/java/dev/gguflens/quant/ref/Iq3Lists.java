package dev.gguflens.quant.ref;

/**
 * The entries of a 3-bit grid's neighbour lists (IQ3_XXS's {@code kgrid_256}, IQ3_S's {@code kgrid_512}) as
 * an {@link Iq3NeighbourSearch} reads them: per list slot, the levels 0..7 of the entry's grid point, one
 * array per coordinate. The slots are those of the grid's list store, so a list is a range of them.
 */
public final class Iq3Lists {
    /** Slots past the last one that may be read (as zeros), so a search can read whole vectors. */
    public static final int PADDING = 16;

    private final int[][] levels;

    Iq3Lists(int[][] levels) {
        this.levels = levels;
    }

    /** Level {@code l_i} of the entry at each slot ({@code i = 0..3}), followed by {@link #PADDING} zeros (a copy). */
    public int[] levels(int i) {
        return levels[i].clone();
    }
}
