package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.quant.QuantVectors;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The IQ3_S search tables equal the ones ggml builds in memory (quantizers.md §3 IQ3_S, "Tables", and its check value). */
class Iq3sSearchTablesTest {

    @Test
    void neighbourListsHashAsGgmlsInMemoryLists() {
        Iq3sSearchTables t = Iq3sSearchTables.get();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int offGrid = 0, total = 0, min = Integer.MAX_VALUE, max = 0;
        for (int key = 0; key < Iq3sSearchTables.KEYS; key++) {
            if (t.gridIndex(key) >= 0) {
                assertNull(t.neighbours(key));
                continue;
            }
            int[] list = t.neighbours(key);
            offGrid++;
            total += list.length;
            min = Math.min(min, list.length);
            max = Math.max(max, list.length);
            putU16(out, list.length);
            for (int j : list) {
                putU16(out, j);
            }
        }
        assertEquals(3584, offGrid);
        assertEquals(24733, total);
        assertEquals(3, min);
        assertEquals(38, max);
        assertEquals("662208b0d2ce2fa3346c5fb672db4be13bc06f87c78775acfc435550935b5d89", QuantVectors.sha256(out.toByteArray()));
    }

    @Test
    void everyGridPointMapsToItself() {
        Iq3sSearchTables t = Iq3sSearchTables.get();
        for (int j = 0; j < Iq3sSearchTables.GRID_SIZE; j++) {
            int key = Iq3sSearchTables.key((t.magnitude(j, 0) - 1) / 2, (t.magnitude(j, 1) - 1) / 2,
                    (t.magnitude(j, 2) - 1) / 2, (t.magnitude(j, 3) - 1) / 2);
            assertEquals(j, t.gridIndex(key));
        }
        assertEquals(0, t.gridIndex(0), "levels 0,0,0,0 are grid point 0 (0x01010101)");
        assertTrue(t.gridIndex(Iq3sSearchTables.key(7, 7, 7, 7)) < 0, "15,15,15,15 is off the grid");
    }

    private static void putU16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write(v >>> 8);
    }
}
