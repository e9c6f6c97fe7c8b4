package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Text from files cannot break a markdown table or turn into markup. */
class MarkdownTest {

    @Test
    void codeSpansSurviveBackticksAndPipes() {
        assertEquals("`<s>`", Markdown.code("<s>"));
        assertEquals("``a`b``", Markdown.code("a`b"));
        assertEquals("```a``b```", Markdown.code("a``b"));
        assertEquals("`` `x ``", Markdown.code("`x"));
        assertEquals("`a\\|b`", Markdown.code("a|b"));
        assertEquals("*(empty)*", Markdown.code(""));
    }

    @Test
    void plainTextEscapesMarkup() {
        assertEquals("key 'general.file\\_type' \\<s\\> \\*x\\* a\\|b", Markdown.plain("key 'general.file_type' <s> *x* a|b"));
        assertEquals("\\\\x1b", Markdown.plain("\\x1b"));
    }
}
