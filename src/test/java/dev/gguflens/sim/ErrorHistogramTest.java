package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.quant.ErrorBins;
import org.junit.jupiter.api.Test;

/** Percentiles from the histogram: bin middles within 1/128 of every value in the bin, ranks counted. */
class ErrorHistogramTest {

    @Test
    void representativesAreWithinHalfABin() {
        for (double v : new double[] {1e-12, 3.3e-7, 0.001, 0.0123, 0.5, 1, 1.999, 7.77, 1e6, 1.5e19}) {
            int b = ErrorBins.bin(v);
            double r = ErrorHistogram.representative(b);
            assertTrue(Math.abs(r - v) <= v / 128, v + " -> " + r);
            assertTrue(ErrorHistogram.lower(b) <= v && v < ErrorHistogram.lower(b + 1), v + " in its bin");
        }
    }

    @Test
    void quantileCountsRanks() {
        // Three values in bin 10, one in bin 12: rank ceil(0.5 x 4) = 2 is in bin 10, rank 4 in bin 12.
        BinCounts counts = new BinCounts();
        counts.add(10, 3);
        counts.add(12, 1);
        assertEquals(ErrorHistogram.representative(10), ErrorHistogram.quantile(0, counts, 0.5, 1e9));
        assertEquals(ErrorHistogram.representative(10), ErrorHistogram.quantile(0, counts, 0.75, 1e9));
        assertEquals(ErrorHistogram.representative(12), ErrorHistogram.quantile(0, counts, 0.99, 1e9));
        assertEquals(1e-30, ErrorHistogram.quantile(0, counts, 0.99, 1e-30), "never above the maximum");
    }

    @Test
    void quantileCountsTheZeroBinFirstAndSpansBlocksOfBins() {
        // Two exact zeros, then one value in each of three blocks of 64 bins, far apart: bins 1, 700 and 8192 (the last).
        BinCounts counts = new BinCounts();
        counts.add(ErrorBins.BINS - 1, 1);
        counts.add(700, 1);
        counts.add(1, 1);
        assertEquals(3, counts.total());
        assertEquals(0.0, ErrorHistogram.quantile(2, counts, 0.4, 1e30), "rank 2 of 5 is the second zero");
        assertEquals(ErrorHistogram.representative(1), ErrorHistogram.quantile(2, counts, 0.6, 1e30));
        assertEquals(ErrorHistogram.representative(700), ErrorHistogram.quantile(2, counts, 0.8, 1e30));
        assertEquals(ErrorHistogram.representative(ErrorBins.BINS - 1), ErrorHistogram.quantile(2, counts, 1.0, 1e30));
        assertEquals(-1, counts.binOfRank(4), "only three values are counted");
        assertTrue(Double.isNaN(ErrorHistogram.quantile(0, new BinCounts(), 0.5, 1)), "no values, no percentile");
    }

    @Test
    void drainingAddsTheCountsAndZeroesThem() {
        int[] bins = new int[ErrorBins.BINS];
        bins[5] = 2;
        bins[300] = 7;
        BinCounts counts = new BinCounts();
        counts.drain(bins, 1, 300);
        BinCounts twice = new BinCounts();
        twice.addAll(counts);
        twice.addAll(counts);
        assertEquals(9, counts.total());
        assertEquals(18, twice.total());
        assertEquals(300, twice.binOfRank(5), "ranks 1-4 are the four values in bin 5");
        assertEquals(0, bins[5] + bins[300], "drained bins are left at zero");
    }
}
