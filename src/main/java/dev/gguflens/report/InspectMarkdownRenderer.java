package dev.gguflens.report;

import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Renders an inspect report as GitHub-flavoured markdown: the same sections as the text form, as tables. */
public final class InspectMarkdownRenderer {
    /** Summary lines whose value is text from the file, shown as code so markdown cannot reinterpret it. */
    private static final Set<String> FROM_FILE = Set.of("File", "Architecture", "Name");

    private InspectMarkdownRenderer() {
    }

    public static void render(InspectReport r, PrintWriter out) {
        String title = r.file().path() == null ? "GGUF file" : r.file().path().getFileName().toString();
        out.println("# " + Markdown.code(SafeText.escapeControls(title)));
        out.println();
        List<String[]> summary = new ArrayList<>();
        for (SummaryText.Line l : SummaryText.lines(r)) {
            String v = FROM_FILE.contains(l.label()) && !l.value().equals(SummaryText.ABSENT)
                    ? Markdown.code(l.value()) : Markdown.plain(l.value());
            summary.add(new String[] {l.label(), v});
        }
        Markdown.table(out, List.of("Property", "Value"), new boolean[] {false, false}, summary);

        if (!r.summary().types().isEmpty()) {
            out.println();
            out.println("## Tensor types");
            out.println();
            List<String[]> rows = new ArrayList<>();
            r.summary().types().forEach(t -> rows.add(SummaryText.typeRow(t)));
            Markdown.table(out, List.of("Type", "Tensors", "Parameters", "Size", "Share"),
                    new boolean[] {false, true, true, true, true}, rows);
        }

        if (r.showMetadata()) {
            out.println();
            out.println("## Metadata (" + Units.count(r.file().metadata().size()) + ")");
            out.println();
            List<String[]> rows = new ArrayList<>();
            for (MetadataEntry e : r.file().metadata()) {
                rows.add(new String[] {Markdown.code(SafeText.escape(e.key())), ValueText.type(e.value()),
                        Markdown.code(ValueText.value(e.value(), r.fullValues()))});
            }
            Markdown.table(out, List.of("Key", "Type", "Value"), new boolean[] {false, false, false}, rows);
        }

        if (r.tensors() != null) {
            out.println();
            out.println("## " + Markdown.plain(InspectTextRenderer.tensorsHeading(r)));
            if (!r.tensors().isEmpty()) {
                out.println();
                boolean split = !r.file().parts().isEmpty();
                List<String[]> rows = new ArrayList<>();
                for (TensorInfo t : r.tensors()) {
                    String[] cells = split ? SummaryText.tensorRow(t, r.file().partOf(t)) : SummaryText.tensorRow(t);
                    cells[1] = Markdown.code(cells[1]);
                    rows.add(cells);
                }
                if (split) {
                    Markdown.table(out, List.of("#", "Name", "Shape", "Type", "Size", "Offset", "Part"),
                            new boolean[] {true, false, false, false, true, true, true}, rows);
                } else {
                    Markdown.table(out, List.of("#", "Name", "Shape", "Type", "Size", "Offset"),
                            new boolean[] {true, false, false, false, true, true}, rows);
                }
            }
        }

        List<String> warnings = r.warnings();
        if (!warnings.isEmpty()) {
            out.println();
            out.println("## Warnings");
            out.println();
            for (String w : warnings) {
                out.println("- " + Markdown.plain(SafeText.escape(w)));
            }
        }
        out.flush();
    }
}
