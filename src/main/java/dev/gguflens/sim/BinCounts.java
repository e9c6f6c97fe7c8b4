package dev.gguflens.sim;

import dev.gguflens.quant.ErrorBins;

/**
 * The counts of an |error| histogram's non-zero bins ({@link ErrorBins}: bins 1 to {@code BINS - 1}), kept in
 * blocks of one power of two each (its 64 bins), a block allocated when a value first lands in it.
 *
 * <p>Why blocks: a histogram that others are added to (a tensor's over its chunks, a pool's over a run) reaches new
 * bins now and then. Held in one array covering its range, it was copied each time the range grew, and in a sampled
 * run of many plans (some 6,700 pool histograms) those copies were an eighth of all the memory allocated (228 MB); the
 * collector copied the ones still alive into the old generation, and its pauses were a fifth of the run. A block is
 * never copied, and a histogram holds only the blocks its values reach.
 */
final class BinCounts {
    private static final int BLOCK_BITS = ErrorBins.SUB_BITS;
    private static final int BLOCK = 1 << BLOCK_BITS;
    private static final int BLOCKS = (ErrorBins.BINS - 1) >> BLOCK_BITS;

    /** Block {@code k >> BLOCK_BITS} holds bin {@code k + 1} at {@code k & (BLOCK - 1)}; null until counted. */
    private long[][] blocks;

    /** Adds {@code count} values to {@code bin} (1 to {@code BINS - 1}). */
    void add(int bin, long count) {
        int k = bin - 1;
        block(k >> BLOCK_BITS)[k & (BLOCK - 1)] += count;
    }

    /** Adds the counts of bins {@code lo .. hi} (at least 1) of {@code bins}, indexed by bin, and zeroes them there. */
    void drain(int[] bins, int lo, int hi) {
        for (int b = lo; b <= hi; b++) {
            if (bins[b] != 0) {
                add(b, bins[b]);
                bins[b] = 0;
            }
        }
    }

    /** Adds every count of {@code o}. */
    void addAll(BinCounts o) {
        if (o.blocks == null) {
            return;
        }
        for (int i = 0; i < BLOCKS; i++) {
            long[] from = o.blocks[i];
            if (from != null) {
                long[] into = block(i);
                for (int j = 0; j < BLOCK; j++) {
                    into[j] += from[j];
                }
            }
        }
    }

    /** The number of values counted. */
    long total() {
        long total = 0;
        if (blocks != null) {
            for (long[] block : blocks) {
                if (block != null) {
                    for (long c : block) {
                        total += c;
                    }
                }
            }
        }
        return total;
    }

    /** The bin of the {@code rank}-th smallest value counted (from 1), or -1 when fewer values are counted. */
    int binOfRank(long rank) {
        if (blocks == null) {
            return -1;
        }
        long seen = 0;
        for (int i = 0; i < BLOCKS; i++) {
            long[] block = blocks[i];
            if (block == null) {
                continue;
            }
            for (int j = 0; j < BLOCK; j++) {
                seen += block[j];
                if (seen >= rank) {
                    return (i << BLOCK_BITS) + j + 1;
                }
            }
        }
        return -1;
    }

    private long[] block(int i) {
        if (blocks == null) {
            blocks = new long[BLOCKS][];
        }
        long[] block = blocks[i];
        if (block == null) {
            block = blocks[i] = new long[BLOCK];
        }
        return block;
    }
}
