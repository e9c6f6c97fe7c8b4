package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The regenerated importance vector is the one the expected hashes were made with (quantizers-imatrix.md §6). */
class ImatrixVectorsTest {

    @Test
    void importanceVectorIsTheGeneratorsToTheBit() throws Exception {
        float[] w = ImatrixVectors.importance();
        assertArrayEquals(new float[] {0.156860352f, 13.6640625f, 1.59570312f, 12.9140625f}, new float[] {w[0], w[1], w[2], w[3]});
        ByteBuffer b = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : w) {
            b.putFloat(v);
        }
        assertEquals("776c86d6aba85f7ab6278e2c3523e26905a35f787b12cfc58d08c2a623a5f68d",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array())));
    }

    @Test
    void theTableListsEveryWeightedType() {
        var e = ImatrixVectors.expected();
        assertEquals(27, e.size());
        assertEquals(null, e.get("IQ2_XXS").changesBytes());
        assertEquals(Boolean.FALSE, e.get("Q8_0").changesBytes());
        assertEquals(589824, e.get("Q4_K").bytes());
    }

    @Test
    void importanceWithZerosHasAboutOneFifthZeros() {
        int zeros = 0;
        for (float v : ImatrixVectors.importanceWithZeros()) {
            zeros += v == 0.0f ? 1 : 0;
        }
        // (s >> 28) < 3 holds for 3 of 16 top nibbles: 48 of 256 expected
        assertEquals(48, zeros, 20);
    }
}
