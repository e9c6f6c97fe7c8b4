package dev.gguflens.report;

/**
 * How wide a line of text is drawn, estimated without a font system, so a plot is laid out the same for
 * SVG and PNG and on machines without fonts. The widths are DejaVu Sans' advance widths (the font the
 * PNG is drawn with, and close to Verdana, the SVG's first fallback); other fonts a viewer may pick are
 * narrower, so labels laid out by these widths do not collide there either.
 */
final class TextWidth {
    /** Advance widths of ASCII 32..126 in hundredths of an em, regular weight (measured from DejaVu Sans). */
    private static final byte[] REGULAR = {
        32, 40, 46, 84, 64, 95, 78, 28, 39, 39, 50, 84, 32, 36, 32, 34,
        64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34, 34, 84, 84, 84, 53,
        100, 68, 69, 70, 77, 63, 58, 78, 75, 30, 30, 66, 56, 86, 75, 79,
        60, 79, 70, 64, 61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50,
        50, 61, 64, 55, 64, 62, 35, 64, 63, 28, 28, 58, 28, 97, 63, 61,
        64, 64, 41, 52, 39, 63, 59, 82, 59, 59, 53, 64, 34, 64, 84,
    };
    /** The same for bold. */
    private static final byte[] BOLD = {
        35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37,
        70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 40, 40, 84, 84, 84, 58,
        100, 77, 76, 73, 83, 68, 68, 82, 84, 37, 37, 78, 64, 100, 84, 85,
        73, 85, 77, 72, 68, 81, 77, 110, 77, 72, 73, 46, 37, 46, 84, 50,
        50, 68, 72, 59, 72, 68, 44, 72, 71, 34, 34, 67, 34, 104, 71, 69,
        72, 72, 49, 60, 48, 71, 65, 92, 65, 65, 58, 71, 37, 71, 84,
    };
    /** Ascent above the baseline and descent below it, as a fraction of the font size. */
    static final double ASCENT = 0.93;
    static final double DESCENT = 0.24;

    private TextWidth() {
    }

    /** The width in pixels of {@code text} at {@code size} pixels. */
    static double of(String text, double size, boolean bold) {
        byte[] table = bold ? BOLD : REGULAR;
        double em = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 32 && cp < 127) {
                em += table[cp - 32] / 100.0;
            } else if (fullWidth(cp)) {
                em += 1.0;
            } else {
                em += 0.75; // accented letters and symbols: a wide Latin letter
            }
        }
        return em * size;
    }

    /** Whether {@code cp} belongs to a script drawn one em wide (Chinese, Japanese, Korean). */
    private static boolean fullWidth(int cp) {
        return switch (Character.UnicodeScript.of(cp)) {
            case HAN, HIRAGANA, KATAKANA, HANGUL -> true;
            default -> false;
        };
    }
}
