package dev.gguflens.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySizeTest {

    @Test
    void binaryAndDecimalUnits() {
        assertEquals(25_769_803_776L, MemorySize.parse("24GiB"));
        assertEquals(25_769_803_776L, MemorySize.parse("24G"));
        assertEquals(25_769_803_776L, MemorySize.parse("24g"));
        assertEquals(25_769_803_776L, MemorySize.parse("24 GiB"));
        assertEquals(24_000L * 1_048_576, MemorySize.parse("24000MiB"));
        assertEquals(24_000L * 1_048_576, MemorySize.parse("24000M"));
        assertEquals(24_000_000_000L, MemorySize.parse("24GB"));
        assertEquals(25_769_803_776L, MemorySize.parse("25769803776"));
        assertEquals(512, MemorySize.parse("512B"));
        assertEquals(1_649_267_441_664L, MemorySize.parse("1.5TiB"));
        assertEquals(1_536, MemorySize.parse("1.5K"));
        // a fraction of a byte is dropped: 0.1 KiB is 102.4 bytes
        assertEquals(102, MemorySize.parse("0.1KiB"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GiB", "24XB", "-24G", "24 G B", "1e9", "24GiB!", "0", "0.5B"})
    void malformedOrEmptySizesSayWhatIsWrong(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemorySize.parse(text));
        assertTrue(e.getMessage().contains("memory size '" + text.strip() + "'"), e.getMessage());
    }

    @Test
    void tooLargeForALong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemorySize.parse("9000000TiB"));
        assertEquals("memory size '9000000TiB' is too large", e.getMessage());
    }
}
