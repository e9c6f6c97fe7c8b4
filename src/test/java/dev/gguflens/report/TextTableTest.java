package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gguflens.report.TextTable.Align;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Columns line up; numbers align right; the last column carries no trailing blanks. */
class TextTableTest {

    @Test
    void columnsAlign() {
        TextTable t = new TextTable().column("NAME", Align.LEFT).column("SIZE", Align.RIGHT).column("NOTE", Align.LEFT);
        t.row("a", "1 B", "x").row("longer name", "1.00 KiB", "");
        StringWriter s = new StringWriter();
        t.print(new PrintWriter(s, true), "  ");
        assertEquals(String.join(System.lineSeparator(),
                "  NAME             SIZE  NOTE",
                "  a                 1 B  x",
                "  longer name  1.00 KiB  ",
                ""), s.toString());
    }

    @Test
    void widthCountsCodePoints() {
        TextTable t = new TextTable().column("K", Align.LEFT).column("V", Align.LEFT);
        t.row("😀😀", "x").row("abc", "y");
        StringWriter s = new StringWriter();
        t.print(new PrintWriter(s, true), "");
        assertEquals(String.join(System.lineSeparator(), "K    V", "😀😀   x", "abc  y", ""), s.toString());
    }

    @Test
    void rowsMustFillEveryColumn() {
        TextTable t = new TextTable().column("A", Align.LEFT);
        assertThrows(IllegalArgumentException.class, () -> t.row("1", "2"));
    }
}
