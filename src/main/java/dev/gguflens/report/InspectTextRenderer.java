package dev.gguflens.report;

import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.report.TextTable.Align;
import java.io.PrintWriter;
import java.util.List;

/** Renders an inspect report as plain text for a terminal: summary lines, then aligned tables. */
public final class InspectTextRenderer {
    private static final String INDENT = "  ";

    private InspectTextRenderer() {
    }

    public static void render(InspectReport r, PrintWriter out) {
        List<SummaryText.Line> lines = SummaryText.lines(r);
        int labelWidth = lines.stream().mapToInt(l -> l.label().length()).max().orElse(0) + 1;
        for (SummaryText.Line l : lines) {
            out.println((l.label() + ":").concat(" ".repeat(labelWidth - l.label().length())) + " " + l.value());
        }

        List<ModelSummary.TypeRow> types = r.summary().types();
        if (!types.isEmpty()) {
            out.println();
            out.println("Tensor types");
            TextTable t = new TextTable().column("TYPE", Align.LEFT).column("TENSORS", Align.RIGHT)
                    .column("PARAMETERS", Align.RIGHT).column("SIZE", Align.RIGHT).column("SHARE", Align.RIGHT);
            types.forEach(row -> t.row(SummaryText.typeRow(row)));
            t.print(out, INDENT);
        }

        if (r.showMetadata()) {
            List<MetadataEntry> md = r.file().metadata();
            out.println();
            out.println("Metadata (" + Units.count(md.size()) + (md.size() == 1 ? " key)" : " keys)"));
            TextTable t = new TextTable().column("KEY", Align.LEFT).column("TYPE", Align.LEFT).column("VALUE", Align.LEFT);
            for (MetadataEntry e : md) {
                t.row(SafeText.escape(e.key()), ValueText.type(e.value()), ValueText.value(e.value(), r.fullValues()));
            }
            t.print(out, INDENT);
        }

        if (r.tensors() != null) {
            out.println();
            out.println(tensorsHeading(r));
            if (!r.tensors().isEmpty()) {
                boolean split = !r.file().parts().isEmpty();
                TextTable t = new TextTable().column("#", Align.RIGHT).column("NAME", Align.LEFT).column("SHAPE", Align.LEFT)
                        .column("TYPE", Align.LEFT).column("SIZE", Align.RIGHT).column("OFFSET", Align.RIGHT);
                if (split) {
                    t.column("PART", Align.RIGHT);
                }
                for (TensorInfo ti : r.tensors()) {
                    t.row(split ? SummaryText.tensorRow(ti, r.file().partOf(ti)) : SummaryText.tensorRow(ti));
                }
                t.print(out, INDENT);
            }
        }

        List<String> warnings = r.warnings();
        if (!warnings.isEmpty()) {
            out.println();
            out.println("Warnings (" + warnings.size() + ")");
            for (String w : warnings) {
                out.println(INDENT + "- " + SafeText.escape(w));
            }
        }
        out.flush();
    }

    /** "Tensors (21)", or with a filter "Tensors matching 'attn' (4 of 21)"; says what the offsets count from. */
    static String tensorsHeading(InspectReport r) {
        int total = r.file().tensors().size();
        String count = r.tensorFilter() == null ? "Tensors (" + Units.count(total)
                : "Tensors matching '" + SafeText.escapeControls(r.tensorFilter()) + "' (" + Units.count(r.tensors().size())
                        + " of " + Units.count(total);
        if (!r.file().parts().isEmpty()) {
            return count + "; offsets from the data section of the tensor's part)";
        }
        return count + "; offsets from the data section at byte " + Units.count(r.file().dataOffset()) + ")";
    }
}
