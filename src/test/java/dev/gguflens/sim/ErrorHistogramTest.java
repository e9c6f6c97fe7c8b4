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
        long[] counts = {3, 0, 1};
        assertEquals(ErrorHistogram.representative(10), ErrorHistogram.quantile(counts, 10, 4, 0.5, 1e9));
        assertEquals(ErrorHistogram.representative(10), ErrorHistogram.quantile(counts, 10, 4, 0.75, 1e9));
        assertEquals(ErrorHistogram.representative(12), ErrorHistogram.quantile(counts, 10, 4, 0.99, 1e9));
        assertEquals(1e-30, ErrorHistogram.quantile(counts, 10, 4, 0.99, 1e-30), "never above the maximum");
    }
}
