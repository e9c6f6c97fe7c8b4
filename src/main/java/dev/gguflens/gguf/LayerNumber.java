package dev.gguflens.gguf;

import java.util.OptionalInt;

/**
 * The layer of a tensor name as llama.cpp reads it: {@code sscanf(name, "blk.%d.", &layer)}. The name
 * must start with {@code blk.}; {@code %d} then skips white space, takes an optional sign and at least
 * one digit. What follows the digits does not matter (the trailing '.' is never checked). Both the
 * model loader (its tensor order, hence the file-type guess) and llama-quantize (its visiting order) read
 * layers this way.
 */
public final class LayerNumber {
    private static final String PREFIX = "blk.";

    private LayerNumber() {
    }

    /** The layer, or empty when sscanf would convert nothing. */
    public static OptionalInt parse(String name) {
        if (!name.startsWith(PREFIX)) {
            return OptionalInt.empty();
        }
        int i = PREFIX.length();
        while (i < name.length() && isCSpace(name.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < name.length() && (name.charAt(i) == '+' || name.charAt(i) == '-')) {
            negative = name.charAt(i) == '-';
            i++;
        }
        int start = i;
        long value = 0;
        boolean saturated = false;
        while (i < name.length() && name.charAt(i) >= '0' && name.charAt(i) <= '9') {
            int digit = name.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                saturated = true;
            } else {
                value = value * 10 + digit;
            }
            i++;
        }
        if (i == start) {
            return OptionalInt.empty();
        }
        // glibc converts through a saturating long, then stores it into the int: mimic the narrowing.
        long asLong = saturated ? (negative ? Long.MIN_VALUE : Long.MAX_VALUE) : (negative ? -value : value);
        return OptionalInt.of((int) asLong);
    }

    /** The layer for ordering: names without one count as -1, so they come first (llama-quantize-rules.md §3 step 5, and the loader's weight map). */
    public static int forOrdering(String name) {
        return parse(name).orElse(-1);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
