package dev.gguflens.quant.simd;

import jdk.incubator.vector.FloatVector;

/**
 * Transposes LANES×LANES tiles of floats with two-vector lane selections: log2(LANES) rounds, each
 * swapping the off-diagonal h×h blocks of every pair of rows h apart (h = LANES/2, ..., 1). Moves data
 * only, so every value keeps its bits.
 */
final class Transpose {
    private static final int LANES = VectorWidth.LANES;
    private static final int ROUNDS = Integer.numberOfTrailingZeros(LANES);
    /** Per round, lane indexes into (first row, second row): the first row's new lanes, then the second's. */
    private static final float[] INDEXES = indexes();

    private final float[] rows = new float[LANES * LANES];

    private static float[] indexes() {
        float[] ix = new float[ROUNDS * 2 * LANES];
        for (int r = 0; r < ROUNDS; r++) {
            int h = LANES >> (r + 1);
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
        for (int k = 0; k < LANES; k++) {
            FloatVector.fromArray(VectorWidth.F, src, from + k * srcStride).intoArray(rows, k * LANES);
        }
        for (int r = 0; r < ROUNDS; r++) {
            int h = LANES >> (r + 1);
            FloatVector first = FloatVector.fromArray(VectorWidth.F, INDEXES, 2 * r * LANES);
            FloatVector second = FloatVector.fromArray(VectorWidth.F, INDEXES, (2 * r + 1) * LANES);
            for (int a = 0; a < LANES; a++) {
                if ((a & h) == 0) {
                    FloatVector va = FloatVector.fromArray(VectorWidth.F, rows, a * LANES);
                    FloatVector vb = FloatVector.fromArray(VectorWidth.F, rows, (a + h) * LANES);
                    first.selectFrom(va, vb).intoArray(rows, a * LANES);
                    second.selectFrom(va, vb).intoArray(rows, (a + h) * LANES);
                }
            }
        }
        for (int k = 0; k < LANES; k++) {
            FloatVector.fromArray(VectorWidth.F, rows, k * LANES).intoArray(dst, to + k * dstStride);
        }
    }
}
