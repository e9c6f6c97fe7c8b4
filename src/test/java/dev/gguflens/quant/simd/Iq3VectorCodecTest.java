package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorized IQ3_XXS and IQ3_S encoders at this JVM's vector width ({@link Iq3VectorWidthsTest} covers
 * 128, 256 and 512 bits), and their list scan ({@link Iq3VectorSearch}) on hand-made lists whose errors are
 * small integers (x = 0, w = 1, scale = 1: the error of positions p is {@code Σ p_i²}).
 */
class Iq3VectorCodecTest {
    private static final VectorCodecProvider PROVIDER = new VectorCodecProvider();
    /** Where the hand-made lists start: no multiple of the eight lanes. */
    private static final int FIRST = 5;

    @ParameterizedTest
    @ValueSource(strings = {"IQ3_XXS", "IQ3_S"})
    void givesGgmlsAndTheReferencesBytes(String name) {
        GgmlType type = GgmlType.byName(name).orElseThrow();
        BlockCodec simd = PROVIDER.codec(type).orElseThrow();
        assertNotEquals(Differential.reference(type).getClass(), simd.getClass(), type + " has a vectorized codec");
        assertEquals(List.of(), Iq3Differential.all(type, simd));
    }

    @Test
    void firstOfEqualErrorsWinsAcrossSteps() {
        // entry 3: 1+1+1+9 = 12, entry 10: 9+1+1+1 = 12, entry 9: 1+1+1+25 = 28, the rest 4*225
        float[][] p = lists(12, new int[] {3, 10, 9}, new float[][] {{1, 1, 1, 3}, {3, 1, 1, 1}, {1, 1, 1, 5}});
        assertEquals(3, scan(p, 12, 0f, 1f, 1f));
    }

    @Test
    void aSmallerErrorInALaterStepWins() {
        // entry 3: 12, entry 10: 4
        float[][] p = lists(12, new int[] {3, 10}, new float[][] {{1, 1, 1, 3}, {1, 1, 1, 1}});
        assertEquals(10, scan(p, 12, 0f, 1f, 1f));
    }

    @Test
    void firstOfEqualErrorsWinsWithinAStep() {
        // entries 2 and 6: 4; entry 4: 12
        float[][] p = lists(8, new int[] {2, 4, 6}, new float[][] {{1, 1, 1, 1}, {3, 1, 1, 1}, {1, 1, 1, 1}});
        assertEquals(2, scan(p, 8, 0f, 1f, 1f));
    }

    @Test
    void slotsOutsideTheListAreNeverChosen() {
        // every slot outside the 3 entries holds position 0 (error 0, smaller than any entry's)
        float[][] p = new float[4][FIRST + 3 + 16];
        for (float[] c : p) {
            Arrays.fill(c, FIRST, FIRST + 3, 15);
        }
        p[2][FIRST + 1] = 13; // entry 1: 3*225 + 169
        assertEquals(1, scan(p, 3, 0f, 1f, 1f));
    }

    @Test
    void noEntryBelowFloatMaxIsMinusOne() {
        float[][] p = lists(12, new int[0], new float[0][]);
        assertEquals(-1, scan(p, 12, Float.NaN, 1f, 1f));
        // (w*diff)*diff overflows to +Inf for every entry
        assertEquals(-1, scan(p, 12, 0f, Float.MAX_VALUE, 1e20f));
    }

    /** Positions of {@code n} entries from slot FIRST, all 15 except the given entries; zeros around them. */
    private static float[][] lists(int n, int[] entries, float[][] positions) {
        float[][] p = new float[4][FIRST + n + 16];
        for (int i = 0; i < 4; i++) {
            Arrays.fill(p[i], FIRST, FIRST + n, 15);
            for (int k = 0; k < entries.length; k++) {
                p[i][FIRST + entries[k]] = positions[k][i];
            }
        }
        return p;
    }

    private static int scan(float[][] p, int n, float x, float w, float scale) {
        return new Iq3VectorSearch(p).best(new float[] {x, x, x, x}, 0, new float[] {w, w, w, w}, 0, scale, FIRST, n);
    }
}
