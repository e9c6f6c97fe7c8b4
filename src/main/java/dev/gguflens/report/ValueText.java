package dev.gguflens.report;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import java.util.Iterator;

/**
 * Metadata values as one line of safe text for tables: strings quoted and escaped, arrays as their
 * first elements. Shortened to fit a table column unless asked for in full.
 */
final class ValueText {
    /** Characters a shortened value may take (the metadata table's last column). */
    static final int VALUE_WIDTH = 64;
    /** Characters one string element of an array may take before it is cut. */
    private static final int ELEMENT_WIDTH = 24;
    /** Room kept for {@code , ... 123,456 more]}. */
    private static final int MORE_WIDTH = 20;

    private ValueText() {
    }

    /** The type column: the GGUF type name, or for an array its element type and count ({@code STRING[512]}). */
    static String type(GgufValue v) {
        return v instanceof GgufArray a ? a.elementType().name() + "[" + a.count() + "]" : v.type().name();
    }

    /** The value column: everything when {@code full}, else at most about {@link #VALUE_WIDTH} characters. */
    static String value(GgufValue v, boolean full) {
        StringBuilder out = new StringBuilder();
        append(out, v, full ? Integer.MAX_VALUE : VALUE_WIDTH, full);
        return out.toString();
    }

    private static void append(StringBuilder out, GgufValue v, int budget, boolean full) {
        switch (v) {
            case GgufValue.Str s when full -> out.append(SafeText.quote(s.text()));
            case GgufValue.Str s -> appendString(out, s.text(), budget);
            case GgufArray a -> appendArray(out, a, budget, full);
            default -> out.append(v); // numbers and bools: their toString is the stored value
        }
    }

    /** A quoted string, cut to {@code budget} characters with a note on how much was left out. */
    private static void appendString(StringBuilder out, String s, int budget) {
        SafeText.Shortened cut = SafeText.shorten(s, Math.max(1, budget - 2), true);
        if (cut.omitted() == 0) {
            out.append('"').append(cut.text()).append('"');
            return;
        }
        // Leave room for the note, so the line keeps its width and the reader knows the value goes on.
        int noteWidth = "... ( more chars)".length() + Units.count(s.length()).length();
        cut = SafeText.shorten(s, Math.max(1, budget - 2 - noteWidth), true);
        out.append('"').append(cut.text()).append("\"... (").append(Units.count(cut.omitted())).append(" more chars)");
    }

    /** A quoted array element, cut to {@code budget} characters and then marked by a bare ellipsis. */
    private static void appendElement(StringBuilder out, String s, int budget) {
        SafeText.Shortened cut = SafeText.shorten(s, Math.max(1, budget - 2), true);
        if (cut.omitted() > 0) {
            cut = SafeText.shorten(s, Math.max(1, budget - 5), true);
        }
        out.append('"').append(cut.text()).append(cut.omitted() > 0 ? "\"..." : "\"");
    }

    private static void appendArray(StringBuilder out, GgufArray a, int budget, boolean full) {
        int start = out.length();
        out.append('[');
        Iterator<GgufValue> it = a.iterator();
        long shown = 0;
        while (it.hasNext()) {
            int before = out.length();
            if (shown > 0) {
                out.append(", ");
            }
            GgufValue element = it.next();
            if (!full && element instanceof GgufValue.Str str) {
                appendElement(out, str.text(), ELEMENT_WIDTH);
            } else {
                append(out, element, full ? Integer.MAX_VALUE : ELEMENT_WIDTH, full);
            }
            // Always show one element; after that stop where the line would pass the budget, keeping
            // room for the note on how many elements are left.
            int limit = shown + 1 == a.count() ? budget - 1 : budget - MORE_WIDTH;
            if (!full && shown > 0 && out.length() - start > limit) {
                out.setLength(before);
                break;
            }
            shown++;
        }
        if (shown < a.count()) {
            out.append(shown > 0 ? ", " : "").append("... ").append(Units.count(a.count() - shown)).append(" more");
        }
        out.append(']');
    }
}
