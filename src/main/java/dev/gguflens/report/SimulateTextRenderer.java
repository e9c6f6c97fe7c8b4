package dev.gguflens.report;

import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.report.TextTable.Align;
import java.io.PrintWriter;
import java.util.List;

/** Renders a simulate report as plain text: one file type in detail (summary, tensor table), or a table of file types. */
public final class SimulateTextRenderer {
    private static final String INDENT = "  ";

    private SimulateTextRenderer() {
    }

    public static void render(SimulateReport r, PrintWriter out) {
        if (r.single()) {
            single(r, r.results().getFirst(), out);
        } else {
            several(r, out);
        }
        List<String> warnings = SimulateText.warnings(r);
        if (!warnings.isEmpty()) {
            out.println();
            out.println("Warnings (" + warnings.size() + ")");
            for (String w : warnings) {
                out.println(INDENT + "- " + w);
            }
        }
        out.flush();
    }

    private static void single(SimulateReport r, SimulateResult s, PrintWriter out) {
        printLines(SimulateText.singleLines(r, s), out);
        if (r.tensors() == null) {
            return;
        }
        List<PlannedTensor> all = s.plan().tensors();
        List<PlannedTensor> shown = r.tensors().select(all);
        out.println();
        out.println(tensorsHeading(r, shown.size(), all.size()));
        if (shown.isEmpty()) {
            return;
        }
        int sourceWidth = shown.stream().mapToInt(t -> t.sourceType().name().length()).max().orElse(0);
        int beforeWidth = shown.stream().mapToInt(t -> Units.bytes(t.sourceBytes()).length()).max().orElse(0);
        int afterWidth = shown.stream().mapToInt(t -> Units.bytes(t.targetBytes()).length()).max().orElse(0);
        TextTable t = new TextTable().column("NAME", Align.LEFT).column("SHAPE", Align.LEFT).column("TYPE", Align.LEFT)
                .column("SIZE", Align.LEFT).column("REASON", Align.LEFT);
        for (PlannedTensor pt : shown) {
            t.row(SafeText.escape(pt.name()), SummaryText.shape(pt.shape()), SimulateText.typeChange(pt, sourceWidth),
                    SimulateText.sizeChange(pt, beforeWidth, afterWidth), SafeText.escape(pt.reason()));
        }
        t.print(out, INDENT);
    }

    private static void several(SimulateReport r, PrintWriter out) {
        printLines(SimulateText.sourceLines(r, null), out);
        out.println();
        out.println(resultsHeading(r));
        TextTable t = new TextTable().column("FILE TYPE", Align.LEFT).column("STATUS", Align.LEFT).column("SIZE", Align.RIGHT)
                .column("BYTES", Align.RIGHT).column("BPW", Align.RIGHT).column("CHANGE", Align.RIGHT).column("NOTES", Align.LEFT);
        for (SimulateResult s : r.results()) {
            t.row(SimulateText.resultRow(r, s));
        }
        t.print(out, INDENT);
        out.println();
        out.println(SimulateText.columnsNote(r));
    }

    /** "File types, smallest output first (36; ...)". */
    static String resultsHeading(SimulateReport r) {
        int n = r.results().size();
        long failed = r.results().stream().filter(s -> !s.ok()).count();
        return "File types (" + Units.count(n) + (failed == 0 ? "" : ", " + Units.count(failed) + " refused by llama-quantize")
                + "), smallest output first";
    }

    /** "Tensors (21, in output order)", or with a filter "Tensors matching 'attn' (4 of 21, ...)". */
    static String tensorsHeading(SimulateReport r, int shown, int total) {
        String order = switch (r.tensors().order()) {
            case OUTPUT -> "in output order";
            case NAME -> "by name";
            case SIZE -> "largest output first";
            case SAVING -> "most bytes saved first";
            case TYPE -> "by target type";
        };
        return r.tensors().filter() == null ? "Tensors (" + Units.count(total) + ", " + order + ")"
                : "Tensors matching '" + SafeText.escapeControls(r.tensors().filter().pattern()) + "' (" + Units.count(shown) + " of "
                        + Units.count(total) + ", " + order + ")";
    }

    private static void printLines(List<SummaryText.Line> lines, PrintWriter out) {
        int labelWidth = lines.stream().mapToInt(l -> l.label().length()).max().orElse(0) + 1;
        for (SummaryText.Line l : lines) {
            out.println((l.label() + ":").concat(" ".repeat(labelWidth - l.label().length())) + " " + l.value());
        }
    }
}
