package dev.gguflens.quant.simd;

/**
 * ggml's sums of squares {@code Σx[i]·x[i]}: float additions from {@code 0.0f} in index order, which no
 * vector reduction reproduces. One such sum is a chain of dependent additions, so several independent
 * ranges are summed side by side, each in its own order, to keep the adder busy.
 */
final class SequentialSums {
    private SequentialSums() {
    }

    /** {@code out[r] = Σ x[off + r·len + i]²} (i = 0..len-1, in order) for {@code r < count}. */
    static void ofSquares(float[] x, int off, int len, int count, float[] out) {
        int r = 0;
        for (; r + 4 <= count; r += 4) {
            int a = off + r * len;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            for (int i = 0; i < len; i++) {
                s0 += x[a + i] * x[a + i];
                s1 += x[a + len + i] * x[a + len + i];
                s2 += x[a + 2 * len + i] * x[a + 2 * len + i];
                s3 += x[a + 3 * len + i] * x[a + 3 * len + i];
            }
            out[r] = s0;
            out[r + 1] = s1;
            out[r + 2] = s2;
            out[r + 3] = s3;
        }
        for (; r < count; r++) {
            int a = off + r * len;
            float s = 0;
            for (int i = 0; i < len; i++) {
                s += x[a + i] * x[a + i];
            }
            out[r] = s;
        }
    }
}
