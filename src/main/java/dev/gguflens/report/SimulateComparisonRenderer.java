package dev.gguflens.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.gguflens.report.TextTable.Align;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/** Renders a {@link SimulateComparison} (several sources) as text, markdown, or the JSON of docs/json.md. */
public final class SimulateComparisonRenderer {
    /** The mark of an option on the size/error frontier. */
    static final String FRONTIER = "*";
    private static final String INDENT = "  ";
    private static final List<String> HEADERS = List.of("", "MODEL", "FILE TYPE", "SIZE", "BYTES", "BPW", "REL RMSE", "WORST TENSOR", "NOTES");

    private SimulateComparisonRenderer() {
    }

    public static void text(SimulateComparison c, PrintWriter out) {
        List<SimulateReport> reports = c.reports();
        out.println("Sources (" + reports.size() + ")");
        TextTable sources = new TextTable().column("MODEL", Align.LEFT).column("FILE TYPE", Align.LEFT).column("SIZE", Align.RIGHT)
                .column("PARAMETERS", Align.RIGHT).column("BPW", Align.RIGHT);
        for (SimulateReport r : reports) {
            sources.row(sourceCells(r));
        }
        sources.print(out, INDENT);
        out.println();
        for (SummaryText.Line l : commonLines(c)) {
            out.println(l.label() + ": " + l.value());
        }
        out.println();
        out.println(heading(c));
        TextTable t = new TextTable();
        for (int i = 0; i < HEADERS.size(); i++) {
            t.column(HEADERS.get(i), i >= 3 && i <= 6 ? Align.RIGHT : Align.LEFT);
        }
        for (SimulateComparison.Option o : c.options()) {
            t.row(row(o));
        }
        t.print(out, INDENT);
        out.println();
        out.println(frontierNote());
        out.println(ErrorText.columnsNote(sampled(c)));
        out.flush();
    }

    public static void markdown(SimulateComparison c, PrintWriter out) {
        out.println("# " + Markdown.plain(heading(c)));
        out.println();
        List<String[]> sources = new ArrayList<>();
        for (SimulateReport r : c.reports()) {
            String[] cells = sourceCells(r);
            cells[0] = Markdown.code(cells[0]);
            sources.add(cells);
        }
        Markdown.table(out, List.of("Model", "File type", "Size", "Parameters", "BPW"), new boolean[] {false, false, true, true, true}, sources);
        out.println();
        for (SummaryText.Line l : commonLines(c)) {
            out.println("- " + l.label() + ": " + Markdown.plain(l.value()));
        }
        out.println();
        List<String[]> rows = new ArrayList<>();
        for (SimulateComparison.Option o : c.options()) {
            String[] cells = row(o);
            for (int i = 0; i < cells.length; i++) {
                cells[i] = i == 1 ? Markdown.code(cells[i]) : Markdown.plain(cells[i]);
            }
            rows.add(cells);
        }
        Markdown.table(out, List.of("Frontier", "Model", "File type", "Size", "Bytes", "BPW", "Rel RMSE", "Worst tensor", "Notes"),
                new boolean[] {false, false, false, true, true, true, true, false, false}, rows);
        out.println();
        out.println(Markdown.plain(frontierNote()));
        out.println();
        out.println(Markdown.plain(ErrorText.columnsNote(sampled(c))));
        out.flush();
    }

    /**
     * {@code {schemaVersion, files: [one-file object without schemaVersion, ...], comparison: [...]}}: each file as a
     * one-file run prints it, then every option smallest first with its frontier flag.
     */
    public static void json(SimulateComparison c, Writer out) throws IOException {
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", Json.SCHEMA_VERSION);
            g.writeArrayFieldStart("files");
            for (SimulateReport r : c.reports()) {
                g.writeStartObject();
                SimulateJsonRenderer.fileFields(g, r);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("comparison");
            for (SimulateComparison.Option o : c.options()) {
                SimulateResult s = o.result();
                g.writeStartObject();
                g.writeNumberField("file", c.reports().indexOf(o.source()));
                g.writeStringField("source", o.source().file().path() == null ? null : o.source().file().path().toString());
                g.writeStringField("ftype", s.ftype().enumName());
                g.writeStringField("status", s.ok() && s.errorFailure() == null ? "ok" : "failed");
                if (s.ok()) {
                    g.writeNumberField("fileBytes", s.plan().fileBytes());
                    g.writeNumberField("bitsPerWeight", s.plan().bitsPerWeight());
                } else {
                    g.writeNullField("fileBytes");
                    g.writeNullField("bitsPerWeight");
                }
                if (o.measured()) {
                    g.writeNumberField("relativeRmse", o.error());
                } else {
                    g.writeNullField("relativeRmse");
                }
                g.writeBooleanField("frontier", o.frontier());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
        out.flush();
    }

    private static String[] sourceCells(SimulateReport r) {
        return new String[] {name(r), SummaryText.fileType(r.summary().fileType()), Units.bytes(r.file().fileSize()),
                r.summary().parameters() == null ? SimulateText.ABSENT : Units.parameters(r.summary().parameters()),
                r.summary().bitsPerWeight() == null ? SimulateText.ABSENT : SimulateText.bpw(r.summary().bitsPerWeight())};
    }

    /** The options and how the error was measured, the same for every source. */
    private static List<SummaryText.Line> commonLines(SimulateComparison c) {
        SimulateReport first = c.reports().getFirst();
        List<SummaryText.Line> lines = new ArrayList<>();
        lines.add(new SummaryText.Line("Options", first.options().isEmpty() ? "llama-quantize's defaults"
                : SafeText.escapeControls(String.join(" ", first.options()))));
        var s = first.errors().sampling();
        lines.add(new SummaryText.Line("Measured", s == null ? "every value of every tensor"
                : "a " + ErrorText.fraction(s.fraction()) + " sample of blocks (seed " + s.seed() + "; " + ErrorText.IN_FULL
                        + "); each estimate ± the larger side of its 95% confidence interval"));
        if (c.reports().stream().anyMatch(r -> !r.quantizedSourceTypes().isEmpty())) {
            lines.add(new SummaryText.Line("Errors against", "each source's own values; a quantized source's are its decoded"
                    + " values, not the original weights"));
        }
        return lines;
    }

    private static String heading(SimulateComparison c) {
        int n = c.reports().stream().mapToInt(r -> r.results().size()).sum();
        return "Options across " + c.reports().size() + " models (" + Units.count(n) + "), smallest output first";
    }

    private static String[] row(SimulateComparison.Option o) {
        SimulateResult s = o.result();
        SimulateReport r = o.source();
        boolean sized = s.ok();
        return new String[] {o.frontier() ? FRONTIER : "", name(r), s.ftype().shortName(),
                sized ? Units.bytes(s.plan().fileBytes()) : SimulateText.ABSENT, sized ? Units.count(s.plan().fileBytes()) : SimulateText.ABSENT,
                sized ? SimulateText.bpw(s.plan().bitsPerWeight()) : SimulateText.ABSENT,
                s.error() == null ? SimulateText.ABSENT : ErrorText.relative(s.error().model()),
                s.error() == null ? SimulateText.ABSENT : ErrorText.worstCell(s.error()), SimulateText.notes(r, s)};
    }

    private static String frontierNote() {
        return FRONTIER + ": on the size/error frontier: no other option is at most as large with at most the same relative RMSE"
                + " (and strictly less in one of the two). An unmarked option has another at least as good on both and better"
                + " on one."
                + " Failed or refused options are listed last.";
    }

    private static boolean sampled(SimulateComparison c) {
        return c.reports().getFirst().errors().sampling() != null;
    }

    private static String name(SimulateReport r) {
        return r.file().path() == null ? "?" : SafeText.escapeControls(r.file().path().toString());
    }
}
