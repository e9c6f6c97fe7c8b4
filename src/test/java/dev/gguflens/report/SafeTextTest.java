package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Terminal-unsafe characters become visible escapes; everything else is left alone. */
class SafeTextTest {

    @Test
    void controlsBecomeVisibleEscapes() {
        assertEquals("\\x1b[31mred\\x1b[0m", SafeText.escape("\u001b[31mred\u001b[0m"));
        assertEquals("bell\\x07 nul\\x00 del\\x7f", SafeText.escape("bell\u0007 nul\u0000 del\u007f"));
        assertEquals("a\\nb\\rc\\td", SafeText.escape("a\nb\rc\td"));
        // C1 controls: NEL and CSI, which some terminals act on as ESC E and ESC [.
        assertEquals("\\x85\\x9b", SafeText.escape("\u0085\u009b"));
    }

    @Test
    void bidiAndInvisibleCharactersAreEscaped() {
        assertEquals("\\u202egnp.exe", SafeText.escape("\u202egnp.exe"));
        assertEquals("\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c", SafeText.escape("\u2066\u2067\u2068\u2069\u200e\u200f\u061c"));
        assertEquals("\\u200b\\ufeff\\u2028\\u2029", SafeText.escape("\u200b\ufeff\u2028\u2029"));
        assertEquals("\\u{e0041}", SafeText.escape(new String(Character.toChars(0xE0041)))); // a TAG character
        assertEquals("\\ud800x", SafeText.escape("\ud800x"), "an unpaired surrogate");
    }

    @Test
    void printableTextIsKeptAndBackslashesDoubled() {
        assertEquals("héllo 世界 ▁the Ġa 😀", SafeText.escape("héllo 世界 ▁the Ġa 😀"));
        assertEquals("a\\\\x1b", SafeText.escape("a\\x1b"), "a literal backslash cannot pass for an escape");
        assertEquals("\"say \\\"hi\\\"\\n\"", SafeText.quote("say \"hi\"\n"));
        assertEquals("C:\\models\\x1b", SafeText.escapeControls("C:\\models\u001b"));
    }

    @Test
    void shorteningNeverCutsAnEscape() {
        SafeText.Shortened s = SafeText.shorten("ab\u001bcd", 4, false);
        assertEquals("ab", s.text(), "\\x1b does not fit in the last two places");
        assertEquals(3, s.omitted());
        s = SafeText.shorten("ab\u001bcd", 6, false);
        assertEquals("ab\\x1b", s.text());
        assertEquals(2, s.omitted());
        s = SafeText.shorten("abc", 3, false);
        assertEquals("abc", s.text());
        assertEquals(0, s.omitted());
    }

    @Test
    void unsafeClassification() {
        assertTrue(SafeText.isUnsafe(0x1b));
        assertTrue(SafeText.isUnsafe(0x9f));
        assertTrue(SafeText.isUnsafe(0x202d));
        assertFalse(SafeText.isUnsafe('a'));
        assertFalse(SafeText.isUnsafe(0xa0));
        assertFalse(SafeText.isUnsafe(0x4e16));
    }
}
