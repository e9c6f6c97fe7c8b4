package dev.gguflens.report;

/**
 * Makes text from a file safe to print on a terminal: every character that could move the cursor,
 * start an escape sequence, reorder the line (bidi overrides) or hide itself is shown as a visible
 * escape instead ({@code \x1b}, {@code \r}, {@code \u202e}), and a backslash as {@code \\}, so what is
 * printed can always be read back unambiguously.
 *
 * <p>Escaped: C0 controls and DEL, C1 controls (U+0080..U+009F: {@code \x85}), Unicode format characters
 * (bidi embeddings, overrides and isolates, zero-width characters, U+FEFF), the line and paragraph
 * separators, and unpaired surrogates.
 */
public final class SafeText {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private SafeText() {
    }

    /** {@code s} with every unsafe character escaped. */
    public static String escape(String s) {
        return shorten(s, Integer.MAX_VALUE, false).text();
    }

    /**
     * {@code s} with unsafe characters escaped but backslashes kept as they are: for text the user typed
     * (a path, a regular expression), where doubling backslashes would only get in the way.
     */
    public static String escapeControls(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp == '\\') {
                out.append('\\');
            } else {
                append(out, cp, false);
            }
        });
        return out.toString();
    }

    /** {@code s} escaped, in double quotes, with {@code "} escaped too. */
    public static String quote(String s) {
        return "\"" + shorten(s, Integer.MAX_VALUE, true).text() + "\"";
    }

    /**
     * Escaped text cut to at most {@code maxChars} characters of output, never inside an escape.
     *
     * @param text    the escaped (and possibly cut) text
     * @param omitted how many characters of the original were left out (0 when it fitted)
     */
    public record Shortened(String text, int omitted) {
    }

    /** Escapes {@code s} and keeps what fits in {@code maxChars} characters; {@code quoted} escapes {@code "} too. */
    public static Shortened shorten(String s, int maxChars, boolean quoted) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), maxChars) + 8);
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int before = out.length();
            append(out, cp, quoted);
            if (out.length() > maxChars) {
                out.setLength(before);
                return new Shortened(out.toString(), s.length() - i);
            }
            i += Character.charCount(cp);
        }
        return new Shortened(out.toString(), 0);
    }

    /** Whether {@code cp} must not reach a terminal as it is. */
    public static boolean isUnsafe(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE -> true;
            default -> false;
        };
    }

    private static void append(StringBuilder out, int cp, boolean quoted) {
        if (cp == '\\') {
            out.append("\\\\");
        } else if (cp == '"' && quoted) {
            out.append("\\\"");
        } else if (!isUnsafe(cp)) {
            out.appendCodePoint(cp);
        } else if (cp == '\n') {
            out.append("\\n");
        } else if (cp == '\r') {
            out.append("\\r");
        } else if (cp == '\t') {
            out.append("\\t");
        } else if (cp < 0x100) {
            out.append("\\x").append(HEX[cp >> 4]).append(HEX[cp & 0xF]);
        } else if (cp < 0x10000) {
            out.append("\\u");
            hex(out, cp, 4);
        } else {
            out.append("\\u{").append(Integer.toHexString(cp)).append('}');
        }
    }

    private static void hex(StringBuilder out, int v, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(HEX[(v >> shift) & 0xF]);
        }
    }
}
