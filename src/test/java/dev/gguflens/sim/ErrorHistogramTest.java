package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The histogram's bins: 64 per power of two, middles within 1/128 of every value in the bin. */
class ErrorHistogramTest {

    @Test
    void binsByHand() {
        assertEquals(0, ErrorHistogram.bin(0.0));
        // 1.0 = 2^0, mantissa 0: octave 0 is the 65th (64 octaves below it), sub-bin 0.
        assertEquals(1 + 64 * 64, ErrorHistogram.bin(1.0));
        assertEquals(1 + 64 * 64 + 32, ErrorHistogram.bin(1.5));
        assertEquals(1 + 64 * 64 + 63, ErrorHistogram.bin(Math.nextDown(2.0)));
        assertEquals(1 + 65 * 64, ErrorHistogram.bin(2.0));
        assertEquals(1, ErrorHistogram.bin(Double.MIN_VALUE), "below 2^-64: the lowest bin");
        assertEquals(ErrorHistogram.BINS - 1, ErrorHistogram.bin(1e300), "above 2^64: the highest bin");
        assertEquals(8193, ErrorHistogram.BINS);
        assertEquals(1, ErrorHistogram.bin(Math.scalb(1.0, -64)), "2^-64 starts the lowest octave");
        assertEquals(1, ErrorHistogram.bin(Math.nextDown(Math.scalb(1.0, -64))));
        assertEquals(2, ErrorHistogram.bin(Math.scalb(1.0 + 1.0 / 64, -64)));
        assertEquals(ErrorHistogram.BINS - 1, ErrorHistogram.bin(Math.nextDown(Math.scalb(1.0, 64))), "the top of 2^63's octave");
        assertEquals(ErrorHistogram.BINS - 2, ErrorHistogram.bin(Math.scalb(1.0 + 62.0 / 64, 63)));
        assertEquals(ErrorHistogram.BINS - 1, ErrorHistogram.bin(Double.POSITIVE_INFINITY));
    }

    @Test
    void representativesAreWithinHalfABin() {
        for (double v : new double[] {1e-12, 3.3e-7, 0.001, 0.0123, 0.5, 1, 1.999, 7.77, 1e6, 1.5e19}) {
            int b = ErrorHistogram.bin(v);
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
