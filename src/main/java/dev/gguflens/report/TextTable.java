package dev.gguflens.report;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with aligned columns: a header line, then one line per row; numbers right-aligned.
 * Cells must already be safe to print ({@link SafeText}); widths count code points, which is right for
 * the ASCII and escaped text the renderers put in cells.
 */
public final class TextTable {
    /** How a column's cells line up. */
    public enum Align { LEFT, RIGHT }

    private final List<String> headers = new ArrayList<>();
    private final List<Align> aligns = new ArrayList<>();
    private final List<String[]> rows = new ArrayList<>();

    /** Adds a column. */
    public TextTable column(String header, Align align) {
        headers.add(header);
        aligns.add(align);
        return this;
    }

    /** Adds a row: one cell per column. */
    public TextTable row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        rows.add(cells.clone());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Prints the table, each line starting with {@code indent}; the last column is not padded. */
    public void print(PrintWriter out, String indent) {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = width(headers.get(c));
            for (String[] r : rows) {
                widths[c] = Math.max(widths[c], width(r[c]));
            }
        }
        line(out, indent, headers.toArray(String[]::new), widths);
        for (String[] r : rows) {
            line(out, indent, r, widths);
        }
    }

    private void line(PrintWriter out, String indent, String[] cells, int[] widths) {
        StringBuilder b = new StringBuilder(indent);
        for (int c = 0; c < cells.length; c++) {
            boolean last = c == cells.length - 1;
            int pad = widths[c] - width(cells[c]);
            if (aligns.get(c) == Align.RIGHT) {
                b.repeat(' ', pad).append(cells[c]);
            } else {
                b.append(cells[c]);
                if (!last) {
                    b.repeat(' ', pad);
                }
            }
            if (!last) {
                b.append("  ");
            }
        }
        out.println(b);
    }

    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}
