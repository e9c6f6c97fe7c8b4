package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.quant.ErrorBins;
import dev.gguflens.quant.PieceSums;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The error kernel's specification: its sums in the documented 8-lane order, worked out by hand. */
class ScalarErrorKernelTest {
    private static final double TWO_54 = 0x1p54;
    // bins by hand (ErrorBins): 1 + (exponent + 64) x 64 + top 6 mantissa bits
    private static final int BIN_HALF = 1 + 63 * 64;
    private static final int BIN_ONE = 1 + 64 * 64;
    private static final int BIN_TWO = 1 + 65 * 64;
    private static final int BIN_2_27 = 1 + 91 * 64;
    private static final int TOP_BIN = ErrorBins.BINS - 1;

    private static PieceSums measure(float[] x, float[] y, int off, int count) {
        PieceSums p = new PieceSums();
        new ScalarErrorKernel().measure(x, y, off, count, p);
        return p;
    }

    @Test
    void lanesThenTheFixedFold() {
        // 11 values at offset 2: d = 2^27 then ten 1s (y = 0), so the terms are 2^54 and ten 1s; the
        // values around the piece must not count.
        float[] x = {1e10f, 1e10f, 0x1p27f, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1e10f};
        float[] y = new float[x.length];
        PieceSums p = measure(x, y, 2, 11);
        // lane 0 = 2^54 + 1 = 2^54 (the ulp there is 4); lanes 1, 2 = 2; lanes 3..7 = 1.
        // (l0 + l1) = 2^54 + 2, a tie, to even: 2^54; (l2 + l3) = 3; their sum 2^54 + 3 rounds to 2^54 + 4;
        // ((l4 + l5) + (l6 + l7)) = 4; total 2^54 + 8. In element order every 1 would be lost: 2^54.
        assertEquals(TWO_54 + 8, p.sse(), 0.0);
        assertEquals(TWO_54 + 8, p.sumX2(), 0.0);
        assertEquals(0.0, p.sumY2(), 0.0);
        assertEquals(0.0, p.sumXY(), 0.0);
        assertEquals(0x1p27, p.maxAbs(), 0.0);
        assertEquals(10, p.counts()[BIN_ONE]);
        assertEquals(1, p.counts()[BIN_2_27]);
        assertEquals(BIN_ONE, p.lowBin());
        assertEquals(BIN_2_27, p.highBin());
        assertEquals(11, total(p.counts()));
    }

    @Test
    void productsOfXAndYAreSummedLikeTheErrors() {
        // x = 3, y = 1 for 9 values: d² = 4, x² = 9, y² = 1, xy = 3; lane 0 holds two terms, the rest one.
        float[] x = {3, 3, 3, 3, 3, 3, 3, 3, 3};
        float[] y = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        PieceSums p = measure(x, y, 0, 9);
        assertEquals(36.0, p.sse(), 0.0);
        assertEquals(81.0, p.sumX2(), 0.0);
        assertEquals(9.0, p.sumY2(), 0.0);
        assertEquals(27.0, p.sumXY(), 0.0);
        assertEquals(9, p.counts()[BIN_TWO]);
    }

    @Test
    void zerosInfinitiesHugeAndTinyDifferences() {
        float max = Float.MAX_VALUE;
        float[] x = {0.5f, 2, 1, max, 0, -0.0f, Float.POSITIVE_INFINITY, 2, 1e-30f, 0.25f};
        float[] y = {0, 0, 0, -max, 0, 0, 0, 0, 0, 0.25f};
        PieceSums p = measure(x, y, 0, 10);
        // d: 0.5, 2, 1, 2·MAX (a double, no overflow), 0, -0, +Inf, 2, 1e-30 (below 2^-64), 0
        assertEquals(Double.POSITIVE_INFINITY, p.maxAbs());
        int[] c = p.counts();
        assertEquals(3, c[0], "exact zeros, -0 included");
        assertEquals(1, c[1], "below 2^-64: the lowest bin");
        assertEquals(1, c[BIN_HALF]);
        assertEquals(1, c[BIN_ONE]);
        assertEquals(2, c[BIN_TWO]);
        assertEquals(2, c[TOP_BIN], "2·MAX and infinity: the highest bin");
        assertEquals(10, total(c));
        assertEquals(0, p.lowBin());
        assertEquals(TOP_BIN, p.highBin());
        assertEquals(Double.POSITIVE_INFINITY, p.sse());
        // y² by lanes: lane 1 = 0 + 0.0625 (element 9), lane 3 = MAX²; folded: MAX² + 0.0625 = MAX²
        assertEquals((double) max * max, p.sumY2(), 0.0);
    }

    @Test
    void aNaNDifferenceNeitherWinsNorCounts() {
        float nan = Float.NaN;
        PieceSums p = measure(new float[] {nan, 0.5f, nan}, new float[] {0, 0, 0}, 0, 3);
        assertEquals(0.5, p.maxAbs());
        assertTrue(Double.isNaN(p.sse()) && Double.isNaN(p.sumX2()) && Double.isNaN(p.sumXY()));
        assertEquals(0.0, p.sumY2());
        assertEquals(1, total(p.counts()));
        assertEquals(BIN_HALF, p.lowBin());
        assertEquals(BIN_HALF, p.highBin());

        PieceSums none = measure(new float[] {Float.POSITIVE_INFINITY}, new float[] {Float.POSITIVE_INFINITY}, 0, 1);
        assertEquals(0.0, none.maxAbs(), "Inf - Inf is NaN: nothing is larger than 0");
        assertEquals(0, total(none.counts()));
        assertEquals(ErrorBins.BINS, none.lowBin());
        assertEquals(-1, none.highBin());
    }

    @Test
    void anEmptyPieceIsZero() {
        PieceSums p = measure(new float[4], new float[4], 2, 0);
        assertEquals(0.0, p.sse());
        assertEquals(0.0, p.maxAbs());
        assertEquals(ErrorBins.BINS, p.lowBin());
        assertEquals(-1, p.highBin());
    }

    @Test
    void everyCallStartsFromZero() {
        float[] x = {1, 2, 3};
        float[] y = {0, 0, 0};
        PieceSums p = new PieceSums();
        ScalarErrorKernel k = new ScalarErrorKernel();
        k.measure(x, y, 0, 3, p);
        clear(p);
        k.measure(x, y, 1, 2, p);
        assertEquals(13.0, p.sse(), 0.0);
        assertEquals(3.0, p.maxAbs());
        assertEquals(BIN_TWO, p.lowBin());
    }

    /** Any length and offset: the lanes worked element by element, in the order the contract gives. */
    @Test
    void randomPiecesFollowTheDocumentedOrder() {
        Random r = new Random(7);
        float[] x = new float[80];
        float[] y = new float[80];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(40) - 20));
            y[i] = Math.round(x[i] * 64) / 64f;
        }
        int differsFromElementOrder = 0;
        for (int off = 0; off < 4; off++) {
            for (int count = 0; off + count <= x.length; count++) {
                double[][] lanes = new double[4][8];
                double elementOrder = 0;
                for (int k = 0; k < count; k++) {
                    int i = off + k;
                    double xd = x[i];
                    double yd = y[i];
                    double d = xd - yd;
                    lanes[0][k % 8] += d * d;
                    lanes[1][k % 8] += xd * xd;
                    lanes[2][k % 8] += yd * yd;
                    lanes[3][k % 8] += xd * yd;
                    elementOrder += d * d;
                }
                PieceSums p = measure(x, y, off, count);
                String what = count + " values at " + off;
                assertEquals(fold(lanes[0]), p.sse(), 0.0, what);
                assertEquals(fold(lanes[1]), p.sumX2(), 0.0, what);
                assertEquals(fold(lanes[2]), p.sumY2(), 0.0, what);
                assertEquals(fold(lanes[3]), p.sumXY(), 0.0, what);
                if (elementOrder != p.sse()) {
                    differsFromElementOrder++;
                }
            }
        }
        assertNotEquals(0, differsFromElementOrder, "these inputs tell the lane order from element order");
    }

    private static double fold(double[] l) {
        return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
    }

    private static int total(int[] counts) {
        int t = 0;
        for (int i = 0; i < ErrorBins.BINS; i++) {
            t += counts[i];
        }
        return t;
    }

    private static void clear(PieceSums p) {
        for (int b = p.lowBin(); b <= p.highBin(); b++) {
            p.counts()[b] = 0;
        }
    }
}
