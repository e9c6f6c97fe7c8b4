package dev.gguflens.quant.simd;

import java.util.Arrays;

/**
 * The values of a group of whole blocks, transposed so that lane k of a vector holds sub-block k:
 * element {@code i} of sub-block {@code s} is at {@code i * count + s}. A vector load then gives one
 * element of LANES consecutive sub-blocks, and each lane can run the reference's sequential
 * per-sub-block loops unchanged (quantizers.md §5, trap 3: vectorize across blocks).
 *
 * <p>The group is as many blocks as it takes to fill whole vectors, or pairs of them
 * ({@code vectors·LANES / perBlock}, at least one); a group short of blocks at the end of a call is
 * padded with zero sub-blocks, whose results are computed and discarded.
 */
final class SubBlocks {
    final int length;
    final int perBlock;
    final int blocks;
    final int count;
    final float[] x;
    private final Transpose transpose = new Transpose();

    /**
     * @param length   values per sub-block (16 or 32)
     * @param perBlock sub-blocks per block
     * @param vectors  vectors of sub-blocks the caller handles at once (1 or 2)
     */
    SubBlocks(int length, int perBlock, int vectors) {
        this.length = length;
        this.perBlock = perBlock;
        this.blocks = Math.max(1, vectors * VectorWidth.LANES / perBlock);
        this.count = blocks * perBlock;
        this.x = new float[length * count];
    }

    private SubBlocks(SubBlocks shape) {
        this.length = shape.length;
        this.perBlock = shape.perBlock;
        this.blocks = shape.blocks;
        this.count = shape.count;
        this.x = new float[length * count];
    }

    /** Another group of the same shape (e.g. for weights that go with these values). */
    SubBlocks sameShape() {
        return new SubBlocks(this);
    }

    /** Transposes {@code n} whole blocks (at most {@link #blocks}) from {@code src} at {@code off}, zero-padding the rest. */
    void load(float[] src, int off, int n) {
        if (n == blocks && length % VectorWidth.LANES == 0) {
            // a full group: square tiles, transposed in registers
            for (int s0 = 0; s0 < count; s0 += VectorWidth.LANES) {
                for (int e0 = 0; e0 < length; e0 += VectorWidth.LANES) {
                    transpose.tile(src, off + s0 * length + e0, length, x, e0 * count + s0, count);
                }
            }
            return;
        }
        // the last, partial group of a call: element by element
        int real = n * perBlock;
        for (int i = 0; i < length; i++) {
            int row = i * count;
            for (int s = 0; s < real; s++) {
                x[row + s] = src[off + s * length + i];
            }
        }
        if (real < count) {
            for (int i = 0; i < length; i++) {
                Arrays.fill(x, i * count + real, (i + 1) * count, 0.0f);
            }
        }
    }
}
