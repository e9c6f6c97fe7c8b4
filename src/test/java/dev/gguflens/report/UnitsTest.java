package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Sizes in binary units, counts grouped, parameters on llama.cpp's decimal scale. */
class UnitsTest {

    @Test
    void byteSizes() {
        assertEquals("0 B", Units.bytes(0));
        assertEquals("1023 B", Units.bytes(1023));
        assertEquals("1.00 KiB", Units.bytes(1024));
        assertEquals("2.77 MiB", Units.bytes(2_901_760)); // 2,901,760 / 1,048,576 = 2.767
        assertEquals("4.00 GiB", Units.bytes(4L << 30));
        assertEquals("8.00 EiB", Units.bytes(Long.MAX_VALUE));
        assertEquals("152 bytes", Units.bytesExact(152));
        assertEquals("1.00 KiB (1,024 bytes)", Units.bytesExact(1024));
    }

    @Test
    void parameterScaleIsDecimalAsInLlamaCpp() {
        assertEquals("1.44 M", Units.parameters(1_443_072));
        assertEquals("0.13 K", Units.parameters(132));
        assertEquals("6.74 B", Units.parameters(6_738_415_616L));
        assertEquals("1.00 T", Units.parameters(1_000_000_000_000L));
    }

    @Test
    void countsAndShares() {
        assertEquals("1,443,072", Units.count(1_443_072));
        assertEquals("-5", Units.count(-5));
        assertEquals("72.3%", Units.percent(645_120.0 / 892_160));
    }
}
