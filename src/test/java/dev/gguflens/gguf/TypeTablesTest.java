package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The type tables pinned to what llama.cpp's binary reports (reference/ggml-types.md §2 and §6, read
 * from {@code ggml_get_type_traits}, {@code llama_ftype_name} and {@code llama_ftype_get_default_type}).
 */
class TypeTablesTest {

    /** id, ggml name, block size, bytes per block: ggml-types.md §2, the "bin" columns. */
    private static final Object[][] GGML = {
            {0, "f32", 1, 4}, {1, "f16", 1, 2}, {2, "q4_0", 32, 18}, {3, "q4_1", 32, 20}, {4, null, 0, 0}, {5, null, 0, 0},
            {6, "q5_0", 32, 22}, {7, "q5_1", 32, 24}, {8, "q8_0", 32, 34}, {9, "q8_1", 32, 36}, {10, "q2_K", 256, 84},
            {11, "q3_K", 256, 110}, {12, "q4_K", 256, 144}, {13, "q5_K", 256, 176}, {14, "q6_K", 256, 210},
            {15, "q8_K", 256, 292}, {16, "iq2_xxs", 256, 66}, {17, "iq2_xs", 256, 74}, {18, "iq3_xxs", 256, 98},
            {19, "iq1_s", 256, 50}, {20, "iq4_nl", 32, 18}, {21, "iq3_s", 256, 110}, {22, "iq2_s", 256, 82},
            {23, "iq4_xs", 256, 136}, {24, "i8", 1, 1}, {25, "i16", 1, 2}, {26, "i32", 1, 4}, {27, "i64", 1, 8},
            {28, "f64", 1, 8}, {29, "iq1_m", 256, 56}, {30, "bf16", 1, 2}, {31, null, 0, 0}, {32, null, 0, 0},
            {33, null, 0, 0}, {34, "tq1_0", 256, 54}, {35, "tq2_0", 256, 66}, {36, null, 0, 0}, {37, null, 0, 0},
            {38, null, 0, 0}, {39, "mxfp4", 32, 17}, {40, "nvfp4", 64, 36}, {41, "q1_0", 128, 18}, {42, "q2_0", 64, 18},
    };

    @Test
    void everyGgmlIdHasTheBinarysBlockSizeAndBytes() {
        List<GgmlType> known = GgmlType.known();
        assertEquals(43, known.size());
        for (Object[] row : GGML) {
            GgmlType t = known.get((int) row[0]);
            assertEquals((int) row[0], t.id());
            assertEquals((int) row[2], t.blockSize(), t.name());
            assertEquals((int) row[3], t.typeSize(), t.name());
            if (row[1] == null) {
                assertEquals(GgmlType.Status.REMOVED, t.status(), "id " + row[0]);
                assertFalse(t.hasKnownSize());
            } else {
                assertEquals(row[1], t.ggmlName());
                assertEquals(((String) row[1]).toUpperCase(java.util.Locale.ROOT), t.name());
            }
        }
        assertEquals(GgmlType.Status.INTERNAL, GgmlType.Q8_K.status());
        assertEquals(4.5, GgmlType.Q4_K.bitsPerWeight());
        assertEquals(2.0625, GgmlType.IQ2_XXS.bitsPerWeight());
    }

    @Test
    void anUnknownIdStillListsWithUnknownSize() {
        GgmlType t = GgmlType.of(50);
        assertEquals(GgmlType.Status.UNKNOWN, t.status());
        assertFalse(t.hasKnownSize());
        assertEquals("TYPE_50", t.name());
        assertTrue(GgmlType.byName("q4_k").isPresent());
        assertTrue(GgmlType.byName("Q4_0_4_4").isEmpty(), "removed types are not offered as targets");
    }

    @Test
    void rowAndTensorBytesFollowTheBlockFormula() {
        assertEquals(144L * 16, GgmlType.Q4_K.rowBytes(4096));
        assertEquals(34L * 8 * 3, GgmlType.Q8_0.bytes(256, 768));
        assertEquals(0, GgmlType.F32.bytes(0, 0));
    }

    /** id, enum name, llama_ftype_name, default type id (43 = none): ggml-types.md §6. */
    private static final Object[][] FTYPES = {
            {0, "ALL_F32", "all F32", 0}, {1, "MOSTLY_F16", "F16", 1}, {2, "MOSTLY_Q4_0", "Q4_0", 2},
            {3, "MOSTLY_Q4_1", "Q4_1", 3}, {7, "MOSTLY_Q8_0", "Q8_0", 8}, {8, "MOSTLY_Q5_0", "Q5_0", 6},
            {9, "MOSTLY_Q5_1", "Q5_1", 7}, {10, "MOSTLY_Q2_K", "Q2_K - Medium", 10}, {11, "MOSTLY_Q3_K_S", "Q3_K - Small", 11},
            {12, "MOSTLY_Q3_K_M", "Q3_K - Medium", 11}, {13, "MOSTLY_Q3_K_L", "Q3_K - Large", 11},
            {14, "MOSTLY_Q4_K_S", "Q4_K - Small", 12}, {15, "MOSTLY_Q4_K_M", "Q4_K - Medium", 12},
            {16, "MOSTLY_Q5_K_S", "Q5_K - Small", 13}, {17, "MOSTLY_Q5_K_M", "Q5_K - Medium", 13}, {18, "MOSTLY_Q6_K", "Q6_K", 14},
            {19, "MOSTLY_IQ2_XXS", "IQ2_XXS - 2.0625 bpw", 16}, {20, "MOSTLY_IQ2_XS", "IQ2_XS - 2.3125 bpw", 17},
            {21, "MOSTLY_Q2_K_S", "Q2_K - Small", 10}, {22, "MOSTLY_IQ3_XS", "IQ3_XS - 3.3 bpw", 21},
            {23, "MOSTLY_IQ3_XXS", "IQ3_XXS - 3.0625 bpw", 18}, {24, "MOSTLY_IQ1_S", "IQ1_S - 1.5625 bpw", 19},
            {25, "MOSTLY_IQ4_NL", "IQ4_NL - 4.5 bpw", 20}, {26, "MOSTLY_IQ3_S", "IQ3_S - 3.4375 bpw", 21},
            {27, "MOSTLY_IQ3_M", "IQ3_S mix - 3.66 bpw", 21}, {28, "MOSTLY_IQ2_S", "IQ2_S - 2.5 bpw", 17},
            {29, "MOSTLY_IQ2_M", "IQ2_M - 2.7 bpw", 22}, {30, "MOSTLY_IQ4_XS", "IQ4_XS - 4.25 bpw", 23},
            {31, "MOSTLY_IQ1_M", "IQ1_M - 1.75 bpw", 29}, {32, "MOSTLY_BF16", "BF16", 30},
            {36, "MOSTLY_TQ1_0", "TQ1_0 - 1.69 bpw ternary", 34}, {37, "MOSTLY_TQ2_0", "TQ2_0 - 2.06 bpw ternary", 35},
            {38, "MOSTLY_MXFP4_MOE", "MXFP4 MoE", 39}, {39, "MOSTLY_NVFP4", "NVFP4", 43}, {40, "MOSTLY_Q1_0", "Q1_0", 41},
            {41, "MOSTLY_Q2_0", "Q2_0", 42},
    };

    @Test
    void everyFileTypeHasTheBinarysNameAndDefaultType() {
        assertEquals(FTYPES.length, LlamaFileType.current().size());
        for (Object[] row : FTYPES) {
            LlamaFileType f = LlamaFileType.byId((int) row[0]).orElseThrow();
            assertEquals(row[1], f.enumName());
            assertEquals(row[2], f.label());
            if ((int) row[3] == 43) {
                assertNull(f.defaultType(), f.enumName());
            } else {
                assertEquals((int) row[3], f.defaultType().id(), f.enumName());
            }
        }
        for (int removed : new int[] {4, 5, 6, 33, 34, 35}) {
            assertTrue(LlamaFileType.byId(removed).orElseThrow().removed());
        }
    }

    @Test
    void fileTypesParseInEverySpellingUsersWrite() {
        for (String s : List.of("Q4_K_M", "q4_k_m", "MOSTLY_Q4_K_M", "llama_ftype_mostly_q4_k_m", "15")) {
            assertEquals(LlamaFileType.MOSTLY_Q4_K_M, LlamaFileType.parse(s).orElseThrow(), s);
        }
        assertEquals(LlamaFileType.ALL_F32, LlamaFileType.parse("F32").orElseThrow());
        assertEquals(LlamaFileType.ALL_F32, LlamaFileType.parse("all_f32").orElseThrow());
        assertTrue(LlamaFileType.parse("Q4_0_4_4").isEmpty(), "removed");
        assertTrue(LlamaFileType.parse("Q9_K").isEmpty());
        assertEquals(LlamaFileType.MOSTLY_Q4_K_M, LlamaFileType.byId(1024 + 15).orElseThrow(), "the guessed flag is ignored");
        assertEquals("Q4_K_M (Q4_K - Medium)", LlamaFileType.MOSTLY_Q4_K_M.display());
    }
}
