package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.quant.ErrorBins;
import org.junit.jupiter.api.Test;

/** The statistics, on values small enough to work out by hand. */
class ErrorStatsTest {

    private static ErrorSums sums(float[] x, float[] y) {
        ErrorSums s = new ErrorSums();
        PendingCounts pending = new PendingCounts();
        s.addCountingLater(x, y, 0, x.length, pending);
        s.drain(pending);
        return s;
    }

    @Test
    void statisticsOfAKnownPair() {
        // d = x - y = (0, 0.5, -1, 2): Σd² = 5.25, max 2; Σx² = 30, Σy² = 1 + 2.25 + 16 + 4 = 23.25, Σxy = 1 + 3 + 12 + 8 = 24.
        float[] x = {1, 2, 3, 4};
        float[] y = {1, 1.5f, 4, 2};
        ErrorStats e = ErrorStats.of(sums(x, y), 4, null, 1);
        assertEquals(4, e.n());
        assertEquals(4, e.measured());
        assertEquals(5.25, e.sse());
        assertEquals(Math.sqrt(5.25 / 4), e.rmse(), 1e-15);
        assertEquals(2.0, e.maxAbs());
        assertEquals(Math.sqrt(30.0 / 4), e.sourceRms(), 1e-15);
        assertEquals(Math.sqrt(5.25 / 30), e.relativeRmse(), 1e-15);
        assertEquals(10 * Math.log10(30 / 5.25), e.snrDb(), 1e-12);
        assertEquals(24 / Math.sqrt(30 * 23.25), e.cosine(), 1e-15);
        // |d| sorted: 0, 0.5, 1, 2. p50 = 2nd smallest = 0.5, p95 and p99 = 4th = 2; reported as bin middles, within 1/128.
        assertEquals(0.5, e.p50(), 0.5 / 128);
        assertEquals(2.0, e.p95(), 2.0 / 128);
        assertTrue(e.p99() <= 2.0, "capped at the maximum");
        assertNull(e.intervals());
    }

    @Test
    void noErrorIsZeroErrorAndInfiniteSnr() {
        float[] x = {0.5f, -1, 2};
        ErrorStats e = ErrorStats.of(sums(x, x), 3, null, 1);
        assertEquals(0.0, e.sse());
        assertEquals(0.0, e.rmse());
        assertEquals(0.0, e.relativeRmse());
        assertEquals(Double.POSITIVE_INFINITY, e.snrDb());
        assertEquals(1.0, e.cosine());
        assertEquals(0.0, e.p50());
        assertEquals(0.0, e.p99());
    }

    @Test
    void zeroVectorsAndEmptyTensors() {
        float[] zeros = {0, 0};
        float[] ones = {1, 1};
        assertEquals(1.0, ErrorStats.of(sums(zeros, zeros), 2, null, 1).cosine(), "two zero vectors point the same way");
        ErrorStats lost = ErrorStats.of(sums(ones, zeros), 2, null, 1);
        assertEquals(0.0, lost.cosine());
        assertEquals(1.0, lost.relativeRmse());
        ErrorStats fromZero = ErrorStats.of(sums(zeros, ones), 2, null, 1);
        assertEquals(Double.POSITIVE_INFINITY, fromZero.relativeRmse());
        ErrorStats empty = ErrorStats.of(new ErrorSums(), 0, null, 1);
        assertEquals(0, empty.n());
        assertEquals(0.0, empty.rmse());
        assertEquals(0.0, empty.p99());
    }

    @Test
    void aSampleThatMissedEveryValueKnowsNothing() {
        ErrorStats e = ErrorStats.of(new ErrorSums(), 1000, new ErrorSums[] {new ErrorSums(), new ErrorSums()}, 0.01);
        assertEquals(1000, e.n());
        assertEquals(0, e.measured());
        assertTrue(Double.isNaN(e.rmse()) && Double.isNaN(e.relativeRmse()) && Double.isNaN(e.p50()));
        assertNull(e.intervals().rmse());
    }

    @Test
    void sumsAddPieceByPieceEachInTheKernelsLaneOrder() {
        // d = 2^27 then twenty 1s: terms 2^54 and twenty 1s, where the order of the sums shows (the ulp at
        // 2^54 is 4). In element order every 1 is lost: 2^54.
        float[] x = new float[21];
        java.util.Arrays.fill(x, 1);
        x[0] = 0x1p27f;
        float[] y = new float[21];
        // One piece: lane 0 = 2^54 (+1 +1 lost); lanes 1..4 = 3; lanes 5..7 = 2.
        // ((2^54 + 3) + (3 + 3)): 2^54 + 4, then 2^54 + 10, a tie, to even: 2^54 + 8;
        // ((3 + 2) + (2 + 2)) = 9; 2^54 + 17 rounds to 2^54 + 16.
        assertEquals(0x1p54 + 16, sums(x, y).sse, 0.0);
        // Pieces of 2 and 19: the first is 2^54 + 1 = 2^54; the second has lanes 3, 3, 3, 2, 2, 2, 2, 2: 19;
        // running total 0 + 2^54, then + 19 = 2^54 + 20 (to the nearest multiple of 4).
        ErrorSums pieces = new ErrorSums();
        PendingCounts pending = new PendingCounts();
        pieces.addCountingLater(x, y, 0, 2, pending);
        pieces.drain(pending);
        pieces.addCountingLater(x, y, 2, 19, pending);
        pieces.drain(pending);
        int[] scratch = pending.piece.counts();
        assertEquals(0x1p54 + 20, pieces.sse, 0.0);
        assertEquals(0x1p54 + 20, pieces.sumX2, 0.0);
        assertEquals(21, pieces.n);
        assertEquals(0x1p27, pieces.maxAbs);
        for (int b = 0; b <= ErrorBins.BINS; b++) {
            assertEquals(0, scratch[b], "the scratch histogram is left zeroed");
        }
        assertEquals(1.0, pieces.quantile(0.5), 1.0 / 128, "the histogram holds twenty 1s and one 2^27");
    }

    @Test
    void valuesOfUnknownSignalCountAsExactZerosOnceDrainedAndNotAtAllOnceDiscarded() {
        float[] x = {1, 2, 3, 4};
        float[] y = {1, 2, 3, 6}; // one error of 2
        ErrorSums s = new ErrorSums();
        PendingCounts pending = new PendingCounts();
        s.addCountingLater(x, y, 0, 4, pending);
        s.addUnknownSignal(6, pending);
        s.drain(pending);
        assertEquals(10, s.n);
        assertEquals(9, s.zeros, "three exact matches and six values of unknown signal");
        assertEquals(0.0, s.quantile(0.9));
        assertEquals(2.0, s.quantile(1.0), 2.0 / 128);

        ErrorSums uncounted = new ErrorSums();
        uncounted.addUnknownSignal(6, pending);
        pending.discard();
        assertEquals(6, uncounted.n);
        assertEquals(0, uncounted.zeros);
        assertTrue(Double.isNaN(uncounted.quantile(0.5)), "nothing counted, no percentile");
        assertEquals(0, pending.piece.counts()[0], "discarding leaves the scratch histogram zeroed");
    }

    @Test
    void randomGroupIntervalByHand() {
        // Groups 1, 2, 3, 4: mean 2.5, Σ(θg - mean)² = 5, v = (1 - 0.2) x 5 / (4 x 3) = 1/3; t(0.975, 3) = 3.182.
        Interval i = RandomGroups.interval(2.4, new double[] {1, 2, 3, 4}, 3.182, 0.8, 0, Double.POSITIVE_INFINITY);
        double half = 3.182 * Math.sqrt(1.0 / 3);
        assertEquals(2.4 - half, i.low(), 1e-12);
        assertEquals(2.4 + half, i.high(), 1e-12);
        assertEquals(0.0, RandomGroups.interval(0.5, new double[] {1, 2}, 12.706, 1, 0, 1).low(), "clipped to the range");
        assertNull(RandomGroups.interval(1, new double[] {1, Double.POSITIVE_INFINITY}, 12.706, 1, 0, 1));
    }
}
