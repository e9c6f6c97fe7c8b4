package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufValueType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Metadata values in a table cell: exact when short, cut with a count of what is left when long. */
class ValueTextTest {

    @Test
    void scalarsAsStored() {
        assertEquals("18446744073709551615", ValueText.value(GgufValue.Int.u64(-1L), false));
        assertEquals("-7", ValueText.value(GgufValue.Int.i32(-7), false));
        assertEquals("1.0E-5", ValueText.value(GgufValue.Real.f32(1e-5f), false));
        assertEquals("true", ValueText.value(GgufValue.Bool.of(true), false));
        assertEquals("\"\"", ValueText.value(GgufValue.Str.of(""), false));
        assertEquals("UINT64", ValueText.type(GgufValue.Int.u64(1)));
    }

    @Test
    void arraysShowTypeCountAndFirstElements() {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tokens.add("tok" + i);
        }
        GgufArray a = GgufArray.ofStrings(tokens);
        assertEquals("STRING[1000]", ValueText.type(a));
        String v = ValueText.value(a, false);
        assertTrue(v.startsWith("[\"tok0\", \"tok1\", \"tok2\", "), v);
        assertTrue(v.length() <= ValueText.VALUE_WIDTH, v);
        int shown = v.split("\", \"").length;
        assertTrue(v.endsWith(", ... " + String.format("%,d", 1000 - shown) + " more]"), v);
        String full = ValueText.value(a, true);
        assertEquals("[\"" + String.join("\", \"", tokens) + "\"]", full);
    }

    @Test
    void shortArraysAreWhole() {
        assertEquals("[1, 2, 3]", ValueText.value(GgufArray.ofInt32(1, 2, 3), false));
        assertEquals("[]", ValueText.value(GgufArray.ofInt32(), false));
        GgufArray nested = GgufArray.of(GgufValueType.ARRAY, List.of(GgufArray.ofInt32(1, 2), GgufArray.ofStrings(List.of("x"))));
        assertEquals("ARRAY[2]", ValueText.type(nested));
        assertEquals("[[1, 2], [\"x\"]]", ValueText.value(nested, false));
    }

    @Test
    void longStringsAreCutWithACount() {
        String s = "x".repeat(500);
        String v = ValueText.value(GgufValue.Str.of(s), false);
        assertTrue(v.length() <= ValueText.VALUE_WIDTH, v);
        int kept = v.indexOf('"', 1) - 1;
        assertEquals("\"" + "x".repeat(kept) + "\"... (" + String.format("%,d", 500 - kept) + " more chars)", v);
        assertEquals("\"" + s + "\"", ValueText.value(GgufValue.Str.of(s), true));
    }
}
