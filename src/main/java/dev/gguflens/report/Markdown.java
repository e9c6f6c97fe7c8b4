package dev.gguflens.report;

import java.io.PrintWriter;
import java.util.List;

/**
 * GitHub-flavoured markdown pieces for text that is already terminal-safe ({@link SafeText}): code spans
 * that survive backticks and pipes in the text, plain text with markdown's special characters escaped,
 * and tables.
 */
final class Markdown {
    private static final String SPECIAL = "\\`*_[]<>|&~#";

    private Markdown() {
    }

    /** {@code safe} as a code span, usable in a table cell: shown literally, whatever it contains. */
    static String code(String safe) {
        if (safe.isEmpty()) {
            return "*(empty)*";
        }
        int longest = 0;
        int run = 0;
        for (int i = 0; i < safe.length(); i++) {
            run = safe.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        // A space inside the fence keeps a leading or trailing backtick from joining it; markdown strips one.
        boolean pad = safe.startsWith("`") || safe.endsWith("`");
        String body = safe.replace("|", "\\|"); // a pipe would end the table cell even inside a code span
        return pad ? fence + " " + body + " " + fence : fence + body + fence;
    }

    /** {@code safe} as plain text with markdown's special characters backslash-escaped. */
    static String plain(String safe) {
        StringBuilder b = new StringBuilder(safe.length() + 8);
        for (int i = 0; i < safe.length(); i++) {
            char c = safe.charAt(i);
            if (SPECIAL.indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Prints a table; {@code rightAligned[i]} aligns column i to the right (numbers). */
    static void table(PrintWriter out, List<String> headers, boolean[] rightAligned, List<String[]> rows) {
        out.println("| " + String.join(" | ", headers) + " |");
        StringBuilder sep = new StringBuilder("|");
        for (boolean right : rightAligned) {
            sep.append(right ? " ---: |" : " --- |");
        }
        out.println(sep);
        for (String[] r : rows) {
            out.println("| " + String.join(" | ", r) + " |");
        }
    }
}
