package dev.gguflens.report;

import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.sim.SimulationResult;
import dev.gguflens.sim.TensorError;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders a simulate report as GitHub-flavoured markdown: the same lines and tables as the text form. */
public final class SimulateMarkdownRenderer {
    private SimulateMarkdownRenderer() {
    }

    public static void render(SimulateReport r, PrintWriter out) {
        String title = r.file().path() == null ? "GGUF file" : r.file().path().getFileName().toString();
        SimulateResult first = r.results().getFirst();
        out.println("# " + (r.single() ? Markdown.plain(first.ftype().shortName()) + " from " : "File types from ")
                + Markdown.code(SafeText.escapeControls(title)));
        out.println();
        List<SummaryText.Line> lines = r.single() ? SimulateText.singleLines(r, first) : SimulateText.sourceLines(r, null);
        List<String[]> summary = new ArrayList<>();
        for (SummaryText.Line l : lines) {
            // The path and the options as typed are shown as code, so markdown cannot reinterpret them.
            boolean literal = l.label().equals("Source") || l.label().equals("Options") && !r.options().isEmpty();
            summary.add(new String[] {l.label(), literal ? Markdown.code(l.value()) : Markdown.plain(l.value())});
        }
        Markdown.table(out, List.of("Property", "Value"), new boolean[] {false, false}, summary);

        if (r.single()) {
            tensors(r, first, out);
        } else {
            out.println();
            out.println("## " + Markdown.plain(SimulateTextRenderer.resultsHeading(r)));
            out.println();
            List<String[]> rows = new ArrayList<>();
            for (SimulateResult s : r.results()) {
                String[] cells = SimulateText.resultRow(r, s);
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = Markdown.plain(cells[i]);
                }
                rows.add(cells);
            }
            if (r.errors() == null) {
                Markdown.table(out, List.of("File type", "Status", "Size", "Bytes", "BPW", "Change", "Notes"),
                        new boolean[] {false, false, true, true, true, true, false}, rows);
            } else if (r.errors().compareImatrix()) {
                Markdown.table(out, List.of("File type", "Status", "Size", "Bytes", "BPW", "Change", "Rel RMSE", "No imatrix", "Worst tensor",
                        "Notes"), new boolean[] {false, false, true, true, true, true, true, true, false, false}, rows);
            } else {
                Markdown.table(out, List.of("File type", "Status", "Size", "Bytes", "BPW", "Change", "Rel RMSE", "Worst tensor", "Notes"),
                        new boolean[] {false, false, true, true, true, true, true, false, false}, rows);
            }
            out.println();
            out.println(Markdown.plain(SimulateText.columnsNote(r)));
            if (r.errors() != null) {
                out.println();
                out.println(Markdown.plain(ErrorText.columnsNote(r.errors().sampling() != null)));
                if (r.errors().compareImatrix()) {
                    out.println();
                    out.println(Markdown.plain(ErrorText.COMPARE_NOTE));
                }
            }
        }

        List<String> warnings = SimulateText.warnings(r);
        if (!warnings.isEmpty()) {
            out.println();
            out.println("## Warnings");
            out.println();
            for (String w : warnings) {
                out.println("- " + Markdown.plain(w));
            }
        }
        out.flush();
    }

    private static void tensors(SimulateReport r, SimulateResult s, PrintWriter out) {
        SimulationResult m = s.error();
        if (m != null) {
            statsTable(out, "Error by role", "Role", ErrorText.roleRows(m));
            if (r.errors().byLayer()) {
                statsTable(out, "Error by layer", "Layer", ErrorText.layerRows(m));
            }
        }
        if (r.tensors() == null) {
            return;
        }
        List<PlannedTensor> all = s.plan().tensors();
        Map<String, TensorError> errors = s.tensorErrors();
        List<PlannedTensor> shown = r.tensors().select(all, errors);
        out.println();
        out.println("## " + Markdown.plain(SimulateTextRenderer.tensorsHeading(r, shown.size(), all.size())));
        if (shown.isEmpty()) {
            return;
        }
        out.println();
        List<String[]> rows = new ArrayList<>();
        for (PlannedTensor t : shown) {
            List<String> cells = new ArrayList<>(List.of(Markdown.code(SafeText.escape(t.name())), SummaryText.shape(t.shape()),
                    t.sourceType().name(), t.targetType().name(), Units.bytes(t.sourceBytes()), Units.bytes(t.targetBytes())));
            if (m != null) {
                TensorError e = errors.get(t.name());
                cells.addAll(List.of(ErrorText.relative(e.error()), ErrorText.snr(e.error()), ErrorText.maxAbs(e.error())));
            }
            cells.add(Markdown.plain(SimulateText.reason(r, t)));
            rows.add(cells.toArray(String[]::new));
        }
        if (m == null) {
            Markdown.table(out, List.of("Name", "Shape", "From", "To", "Size before", "Size after", "Reason"),
                    new boolean[] {false, false, false, false, true, true, false}, rows);
        } else {
            Markdown.table(out, List.of("Name", "Shape", "From", "To", "Size before", "Size after", "Rel RMSE", "SNR dB", "Max abs err",
                    "Reason"), new boolean[] {false, false, false, false, true, true, true, true, true, false}, rows);
            out.println();
            out.println(Markdown.plain(ErrorText.columnsNote(m.sampling() != null)));
        }
    }

    private static void statsTable(PrintWriter out, String title, String first, List<String[]> rows) {
        out.println();
        out.println("## " + title);
        out.println();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = Markdown.plain(row[i]);
            }
        }
        Markdown.table(out, List.of(first, "Tensors", "Weights", "Rel RMSE", "SNR dB", "Max abs err"),
                new boolean[] {false, true, true, true, true, true}, rows);
    }
}
