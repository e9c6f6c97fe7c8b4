package dev.gguflens.report;

import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.report.TextTable.Align;
import dev.gguflens.sim.SimulationResult;
import dev.gguflens.sim.TensorError;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        SimulationResult m = s.error();
        if (m != null) {
            out.println();
            out.println("Error by role");
            statsTable("ROLE", ErrorText.roleRows(m)).print(out, INDENT);
            if (r.errors().byLayer()) {
                out.println();
                out.println("Error by layer");
                statsTable("LAYER", ErrorText.layerRows(m)).print(out, INDENT);
            }
        }
        if (r.tensors() == null) {
            if (m != null) {
                out.println();
                out.println(ErrorText.columnsNote(m.sampling() != null));
            }
            return;
        }
        List<PlannedTensor> all = s.plan().tensors();
        Map<String, TensorError> errors = s.tensorErrors();
        List<PlannedTensor> shown = r.tensors().select(all, errors);
        out.println();
        out.println(tensorsHeading(r, shown.size(), all.size()));
        if (shown.isEmpty()) {
            return;
        }
        int sourceWidth = shown.stream().mapToInt(t -> t.sourceType().name().length()).max().orElse(0);
        int beforeWidth = shown.stream().mapToInt(t -> Units.bytes(t.sourceBytes()).length()).max().orElse(0);
        int afterWidth = shown.stream().mapToInt(t -> Units.bytes(t.targetBytes()).length()).max().orElse(0);
        TextTable t = new TextTable().column("NAME", Align.LEFT).column("SHAPE", Align.LEFT).column("TYPE", Align.LEFT)
                .column("SIZE", Align.LEFT);
        if (m != null) {
            t.column("REL RMSE", Align.RIGHT).column("SNR dB", Align.RIGHT).column("MAX |ERR|", Align.RIGHT);
        }
        t.column("REASON", Align.LEFT);
        for (PlannedTensor pt : shown) {
            List<String> cells = new ArrayList<>(List.of(SafeText.escape(pt.name()), SummaryText.shape(pt.shape()),
                    SimulateText.typeChange(pt, sourceWidth), SimulateText.sizeChange(pt, beforeWidth, afterWidth)));
            if (m != null) {
                TensorError e = errors.get(pt.name());
                cells.addAll(List.of(ErrorText.relative(e.error()), ErrorText.snr(e.error()), ErrorText.maxAbs(e.error())));
            }
            cells.add(SimulateText.reason(r, pt));
            t.row(cells.toArray(String[]::new));
        }
        t.print(out, INDENT);
        if (m != null) {
            out.println();
            out.println(ErrorText.columnsNote(m.sampling() != null));
        }
    }

    private static TextTable statsTable(String first, List<String[]> rows) {
        TextTable t = new TextTable().column(first, Align.LEFT);
        for (String h : ErrorText.STATS_HEADERS) {
            t.column(h, Align.RIGHT);
        }
        rows.forEach(t::row);
        return t;
    }

    private static void several(SimulateReport r, PrintWriter out) {
        printLines(SimulateText.sourceLines(r, null), out);
        out.println();
        out.println(resultsHeading(r));
        TextTable t = new TextTable().column("FILE TYPE", Align.LEFT).column("STATUS", Align.LEFT).column("SIZE", Align.RIGHT)
                .column("BYTES", Align.RIGHT).column("BPW", Align.RIGHT).column("CHANGE", Align.RIGHT);
        if (r.errors() != null) {
            t.column("REL RMSE", Align.RIGHT);
            if (r.errors().compareImatrix()) {
                t.column("NO IMATRIX", Align.RIGHT);
            }
            t.column("WORST TENSOR", Align.LEFT);
        }
        t.column("NOTES", Align.LEFT);
        for (SimulateResult s : r.results()) {
            t.row(SimulateText.resultRow(r, s));
        }
        t.print(out, INDENT);
        out.println();
        out.println(SimulateText.columnsNote(r));
        if (r.errors() != null) {
            out.println(ErrorText.columnsNote(r.errors().sampling() != null));
            if (r.errors().compareImatrix()) {
                out.println(ErrorText.COMPARE_NOTE);
            }
        }
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
            case ERROR -> "largest relative RMSE first";
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
