package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.quant.QuantVectors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The IQ tables load from their resource files, hold what reference/grids/README.md says they hold, and damaged files are refused. */
class GridFileTest {

    @Test
    void ksignsAreEvenParityMasksOfSevenBits() {
        byte[] t = IqGrids.ksignsIq2xs();
        assertEquals(128, t.length);
        for (int i = 0; i < 128; i++) {
            int expected = Integer.bitCount(i) % 2 == 1 ? i | 0x80 : i;
            assertEquals(expected, t[i] & 0xFF, "ksigns_iq2xs[" + i + "]");
        }
    }

    @Test
    void iq2GridsHoldTheThreeMagnitudes() {
        assertBytesIn(IqGrids.iq2xxs(), 256 * 8, Set.of(8, 25, 43));
        assertBytesIn(IqGrids.iq2xs(), 512 * 8, Set.of(8, 25, 43));
        assertBytesIn(IqGrids.iq2s(), 1024 * 8, Set.of(8, 25, 43));
    }

    @Test
    void iq3GridsHoldTheirLevels() {
        assertBytesIn(IqGrids.iq3xxs(), 256 * 4, Set.of(4, 12, 20, 28, 36, 44, 52, 62));
        assertBytesIn(IqGrids.iq3s(), 512 * 4, Set.of(1, 3, 5, 7, 9, 11, 13, 15));
        // first entries as printed in the file: 0x01010101, 0x01010103 (byte i = element i)
        byte[] g = IqGrids.iq3s();
        assertEquals(3, g[4]);
        assertEquals(1, g[5]);
    }

    @Test
    void iq1GridHoldsSignedTernaryValues() {
        byte[] g = IqGrids.iq1s();
        assertEquals(2048 * 8, g.length);
        for (byte v : g) {
            assertTrue(v >= -1 && v <= 1, "iq1s_grid byte " + v);
        }
        // entry 1 is 0xffffffffffffff01: element 0 = +1, elements 1..7 = -1
        assertEquals(1, g[8]);
        assertEquals(-1, g[9]);
    }

    private static void assertBytesIn(byte[] table, int length, Set<Integer> allowed) {
        assertEquals(length, table.length);
        Set<Integer> seen = new HashSet<>();
        for (byte b : table) {
            seen.add(b & 0xFF);
        }
        assertEquals(allowed, seen);
    }

    private static final String GOOD = """
            # table: demo
            # element type: uint32_t (one value per line, hex)
            # count: 2
            # sha256 of the table as packed little-endian uint32_t: %s
            0x01010101
            0x01010103
            """;

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aFileIsPackedLittleEndian() throws IOException {
        String sha = QuantVectors.sha256(new byte[] {1, 1, 1, 1, 3, 1, 1, 1});
        byte[] t = GridFile.parse("demo", text(GOOD.formatted(sha)), "uint32_t", 2);
        assertEquals(8, t.length);
        assertEquals(3, t[4]);
    }

    @Test
    void damagedFilesAreRefusedWithTheirNameAndWhy() {
        String sha = QuantVectors.sha256(new byte[] {1, 1, 1, 1, 3, 1, 1, 1});
        String good = GOOD.formatted(sha);
        assertRefused(good.replace("0x01010103", "0x01010105"), "uint32_t", 2, "hash");
        assertRefused(good.replace("0x01010103\n", ""), "uint32_t", 2, "has 1 values");
        assertRefused(good + "0x01010101\n", "uint32_t", 2, "more than the 2 values");
        assertRefused(good.replace("0x01010103", "0x0101010"), "uint32_t", 2, "line 6");
        assertRefused(good, "uint32_t", 3, "count is 2, expected 3");
        assertRefused(good, "uint64_t", 2, "line 5");
        assertRefused(good.replace("uint32_t (", "uint64_t ("), "uint32_t", 2, "element type");
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> GridFile.load("no_such_grid.txt", "uint8_t", 1));
        assertTrue(missing.getMessage().contains("no_such_grid.txt"), missing.getMessage());
    }

    @Test
    void uint16TablesAreDecimalAndPackedLittleEndian() throws IOException {
        // kgrid_256 begins 0, 2, 4, 9 (reference/grids/kgrid_256.txt): 0x0009 packs as 09 00
        byte[] k = GridFile.load("kgrid_256.txt", "uint16_t", 256);
        assertEquals(512, k.length);
        assertEquals(2, k[2]);
        assertEquals(9, k[6]);
        assertEquals(0, k[7]);
        String demo = """
                # table: demo16
                # element type: uint16_t (one value per line, decimal)
                # count: 2
                # sha256 of the table as packed little-endian uint16_t: %s
                258
                65535
                """.formatted(QuantVectors.sha256(new byte[] {2, 1, (byte) 0xFF, (byte) 0xFF}));
        assertEquals(2, GridFile.parse("demo16", text(demo), "uint16_t", 2)[0]);
        assertRefused(demo.replace("65535", "65536"), "uint16_t", 2, "is not a uint16_t");
    }

    private static void assertRefused(String content, String type, int count, String why) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GridFile.parse("demo.txt", text(content), type, count));
        assertTrue(e.getMessage().startsWith("grid table demo.txt"), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
