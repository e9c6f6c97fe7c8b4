package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The |error| histogram's bins: 64 per power of two from 2^-64 to 2^64, zero apart. */
class ErrorBinsTest {

    @Test
    void binsByHand() {
        assertEquals(0, ErrorBins.bin(0.0));
        // 1.0 = 2^0, mantissa 0: octave 0 is the 65th (64 octaves below it), sub-bin 0.
        assertEquals(1 + 64 * 64, ErrorBins.bin(1.0));
        assertEquals(1 + 64 * 64 + 32, ErrorBins.bin(1.5));
        assertEquals(1 + 64 * 64 + 63, ErrorBins.bin(Math.nextDown(2.0)));
        assertEquals(1 + 65 * 64, ErrorBins.bin(2.0));
        assertEquals(1, ErrorBins.bin(Double.MIN_VALUE), "below 2^-64: the lowest bin");
        assertEquals(ErrorBins.BINS - 1, ErrorBins.bin(1e300), "above 2^64: the highest bin");
        assertEquals(8193, ErrorBins.BINS);
        assertEquals(1, ErrorBins.bin(Math.scalb(1.0, -64)), "2^-64 starts the lowest octave");
        assertEquals(1, ErrorBins.bin(Math.nextDown(Math.scalb(1.0, -64))));
        assertEquals(2, ErrorBins.bin(Math.scalb(1.0 + 1.0 / 64, -64)));
        assertEquals(ErrorBins.BINS - 1, ErrorBins.bin(Math.nextDown(Math.scalb(1.0, 64))), "the top of 2^63's octave");
        assertEquals(ErrorBins.BINS - 2, ErrorBins.bin(Math.scalb(1.0 + 62.0 / 64, 63)));
        assertEquals(ErrorBins.BINS - 1, ErrorBins.bin(Double.POSITIVE_INFINITY));
    }
}
