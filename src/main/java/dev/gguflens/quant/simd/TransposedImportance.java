package dev.gguflens.quant.simd;

/**
 * The importance values of a group of blocks, transposed like the group's values ({@link SubBlocks}).
 * The importance vector holds one value per column of a row, so block k of a run of rows uses the slice of
 * its position in the row, {@code k % blocksPerRow}, and a group's transposed values depend only on the
 * position of its first block: those of each full group are transposed once and kept. One instance serves
 * the run of one call (one importance vector).
 */
final class TransposedImportance {
    private final SubBlocks layout;
    private final int blockSize;
    private final float[] linear;
    /** Per position of a full group's first block in its row: its transposed values, once computed. */
    private float[][] byPosition;

    /** For groups shaped as {@code values}. */
    TransposedImportance(SubBlocks values) {
        this.layout = values.sameShape();
        this.blockSize = values.length * values.perBlock;
        this.linear = new float[values.blocks * blockSize];
    }

    /**
     * The transposed importance of the {@code g} blocks from block {@code firstBlock} of the run (rows of
     * {@code blocksPerRow} blocks, importance of a row at {@code qw[qwOff ..]}); lanes past {@code g} hold 0.
     * The array is kept or reused: read it before the next call.
     */
    float[] of(int g, int firstBlock, int blocksPerRow, float[] qw, int qwOff) {
        int position = firstBlock % blocksPerRow;
        boolean full = g == layout.blocks;
        if (full) {
            if (byPosition == null) {
                byPosition = new float[blocksPerRow][];
            }
            if (byPosition[position] != null) {
                return byPosition[position];
            }
        }
        for (int b = 0; b < g; b++) {
            System.arraycopy(qw, qwOff + (firstBlock + b) % blocksPerRow * blockSize, linear, b * blockSize, blockSize);
        }
        layout.load(linear, 0, g);
        if (!full) {
            return layout.x;
        }
        byPosition[position] = layout.x.clone();
        return byPosition[position];
    }
}
