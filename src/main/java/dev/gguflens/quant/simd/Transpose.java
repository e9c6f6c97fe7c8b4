package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;

/**
 * Transposes LANES×LANES tiles of floats with two-vector lane selections: log2(LANES) rounds, each
 * swapping the off-diagonal h×h blocks of every pair of rows h apart (h = 1, 2, ..., LANES/2; each round
 * swaps one bit of the row index with the same bit of the column index, so any order of rounds gives the
 * transpose). Moves data only, so every value keeps its bits.
 */
final class Transpose {
    private static final int LANES = VectorWidth.LANES;
    private static final int ROUNDS = Integer.numberOfTrailingZeros(LANES);
    /** Per round, lane indexes into (first row, second row): the first row's new lanes, then the second's. */
    private static final float[] INDEXES = indexes();

    /** Scratch tiles the middle rounds write in turn (the first round reads the source, the last writes the destination). */
    private final float[] even = new float[LANES * LANES];
    private final float[] odd = new float[LANES * LANES];

    private static float[] indexes() {
        float[] ix = new float[ROUNDS * 2 * LANES];
        for (int r = 0; r < ROUNDS; r++) {
            int h = 1 << r;
            for (int lane = 0; lane < LANES; lane++) {
                // indexes >= LANES select from the second row
                ix[(2 * r) * LANES + lane] = (lane & h) == 0 ? lane : LANES + lane - h;
                ix[(2 * r + 1) * LANES + lane] = (lane & h) == 0 ? lane + h : LANES + lane;
            }
        }
        return ix;
    }

    /**
     * Reads rows {@code src[from + k·srcStride ..+LANES]} (k < LANES) and writes their transpose as rows
     * {@code dst[to + k·dstStride ..+LANES]}.
     */
    void tile(float[] src, int from, int srcStride, float[] dst, int to, int dstStride) {
        // LANES >= 4, so there are at least two rounds. Each round is its own straight loop: C2 compiles
        // that to a few vector instructions per row, where one loop over all rounds, with copies of the
        // tile in and out of a scratch array, ran three times as long. The first round pairs neighbouring
        // rows (h = 1), so it reads the source in ascending order, which the hardware prefetcher follows:
        // starting with h = LANES/2 made a 16x16 tile streamed from memory three times slower.
        round(0, src, from, srcStride, even, 0, LANES);
        float[] in = even;
        float[] out = odd;
        for (int r = 1; r < ROUNDS - 1; r++) {
            round(r, in, 0, LANES, out, 0, LANES);
            float[] t = in;
            in = out;
            out = t;
        }
        round(ROUNDS - 1, in, 0, LANES, dst, to, dstStride);
    }

    /** Round r: swaps the off-diagonal h×h blocks of every pair of rows h = 2^r apart. */
    private static void round(int r, float[] in, int inOff, int inStride, float[] out, int outOff, int outStride) {
        int h = 1 << r;
        FloatVector first = FloatVector.fromArray(VectorWidth.F, INDEXES, 2 * r * LANES);
        FloatVector second = FloatVector.fromArray(VectorWidth.F, INDEXES, (2 * r + 1) * LANES);
        for (int q = 0; q < LANES / 2; q++) {
            // the q-th row whose bit h is clear, and its partner h rows on
            int a = ((q & -h) << 1) | (q & (h - 1));
            FloatVector va = FloatVector.fromArray(VectorWidth.F, in, inOff + a * inStride);
            FloatVector vb = FloatVector.fromArray(VectorWidth.F, in, inOff + (a + h) * inStride);
            first.selectFrom(va, vb).intoArray(out, outOff + a * outStride);
            second.selectFrom(va, vb).intoArray(out, outOff + (a + h) * outStride);
        }
    }
}
