package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;

/**
 * The row-length fallback ({@code tensor_type_fallback}, llama-quantize-rules.md §6, as the pinned
 * binary behaves): when a tensor's rows are not a whole number of the chosen type's blocks, a
 * replacement type with a smaller block, else F16; a type with no replacement and blocks over 32 fails
 * the whole run.
 */
final class Fallback {
    private Fallback() {
    }

    /** The choice unchanged when the rows fit, else the fallback with the reason extended; {@link #happened} tells which. */
    static Choice apply(Choice chosen, long rowLength) throws QuantizeRefusal {
        GgmlType t = chosen.type();
        if (rowLength % t.blockSize() == 0) {
            return chosen;
        }
        GgmlType replacement = replacement(t);
        if (replacement == null) {
            // The binary keeps a small-block type (it then fails the test below and becomes F16) and
            // throws only for large blocks: q8_K, q1_0, nvfp4.
            if (t.blockSize() > 32) {
                throw new QuantizeRefusal("no tensor type fallback is defined for type " + t.ggmlName()
                        + " (rows of " + rowLength + " are not a multiple of " + t.blockSize() + ")");
            }
            replacement = t;
        }
        GgmlType result = rowLength % replacement.blockSize() == 0 ? replacement : GgmlType.F16;
        return new Choice(result, chosen.reason() + "; fallback: " + rowLength + " not a multiple of " + t.blockSize()
                + " (" + t + ") -> " + result);
    }

    /** Whether {@link #apply} replaced the type. */
    static boolean happened(Choice before, Choice after) {
        return before != after;
    }

    private static GgmlType replacement(GgmlType t) {
        return switch (t.ggmlName()) {
            case "iq1_s", "iq1_m", "iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq4_xs" -> GgmlType.IQ4_NL;
            case "q2_0", "q2_K", "q3_K", "tq1_0", "tq2_0" -> GgmlType.Q4_0;
            case "q4_K" -> GgmlType.Q5_0;
            case "q5_K" -> GgmlType.Q5_1;
            case "q6_K" -> GgmlType.Q8_0;
            default -> null;
        };
    }
}
