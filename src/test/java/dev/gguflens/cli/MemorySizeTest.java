package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --memory SIZE}: the ways people write a memory size, and one clear reason for what is not one. */
class MemorySizeTest {

    @Test
    void binaryUnitsAndTheirShortFormsArePowersOf1024() {
        assertEquals(25_769_803_776L, MemorySize.parse("24GiB")); // 24 x 2^30
        assertEquals(25_769_803_776L, MemorySize.parse("24G"));
        assertEquals(25_769_803_776L, MemorySize.parse("24 gib"));
        assertEquals(1_572_864_000L, MemorySize.parse("1500MiB")); // 1500 x 2^20
        assertEquals(1_572_864_000L, MemorySize.parse("1500m"));
        assertEquals(1_610_612_736L, MemorySize.parse("1.5GiB")); // 1.5 x 2^30
        assertEquals(2048L, MemorySize.parse("2K"));
        assertEquals(1_099_511_627_776L, MemorySize.parse("1TiB"));
    }

    @Test
    void decimalUnitsArePowersOf1000AndAPlainNumberIsBytes() {
        assertEquals(24_000_000_000L, MemorySize.parse("24GB"));
        assertEquals(500_000_000L, MemorySize.parse("500MB"));
        assertEquals(25_769_803_776L, MemorySize.parse("25769803776"));
        assertEquals(1000L, MemorySize.parse("1000B"));
        assertEquals(1L, MemorySize.parse("1.9"), "fractions of a byte are dropped");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GiB", "24 GiBs", "-1GiB", "24XB", "1,5GiB", "0", "0.5", "24 G B", "9999999999TiB"})
    void anythingElseIsRefusedWithItsReason(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(bad));
        assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
}
