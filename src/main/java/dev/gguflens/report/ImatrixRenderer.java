package dev.gguflens.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.imatrix.ImatrixEntry;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.imatrix.ImatrixFormat;
import dev.gguflens.plan.ImatrixCoverage;
import dev.gguflens.report.TextTable.Align;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Renders {@code gguflens inspect IMATRIX} as text or as the JSON of docs/json.md ("inspect, importance matrix"). */
public final class ImatrixRenderer {
    private static final String INDENT = "  ";

    private ImatrixRenderer() {
    }

    public static void text(ImatrixReport r, PrintWriter out) {
        ImatrixFile m = r.imatrix();
        List<SummaryText.Line> lines = new ArrayList<>();
        lines.add(new SummaryText.Line("Importance matrix", SafeText.escapeControls(r.file().toString())));
        lines.add(new SummaryText.Line("Format", m.format() == ImatrixFormat.GGUF ? "llama.cpp's GGUF imatrix" : "legacy llama-imatrix .dat"));
        lines.add(new SummaryText.Line("File size", Units.bytesExact(r.fileBytes())));
        lines.add(new SummaryText.Line("Datasets", m.datasets().isEmpty() ? "none recorded"
                : m.datasets().stream().map(SafeText::quote).collect(Collectors.joining(", "))));
        lines.add(new SummaryText.Line("Chunks", Units.count(m.chunkCount()) + (m.chunkSize() < 0 ? " (chunk size not recorded)"
                : " of " + Units.count(m.chunkSize()) + " tokens")));
        lines.add(new SummaryText.Line("Entries", Units.count(m.entriesCount()) + " (" + Units.count(r.values()) + " values; "
                + Units.count(r.zeroCountSlices()) + " expert slices that never saw a token, weighted 1)"));
        lines.add(new SummaryText.Line("Value range", m.entriesCount() == 0 ? SimulateText.ABSENT : ErrorText.sci(r.min()) + " .. " + ErrorText.sci(r.max())));
        lines.add(new SummaryText.Line("Finite", m.nonFiniteValue() == null ? "every value"
                : "no: a value is " + m.nonFiniteValue() + ", so llama-quantize refuses this importance matrix"));
        if (r.coverage() != null) {
            ImatrixCoverage c = r.coverage();
            lines.add(new SummaryText.Line("Model", SafeText.escapeControls(r.model().toString())));
            lines.add(new SummaryText.Line("Coverage", Units.count(c.covered().size()) + " of " + Units.count(c.weights().size())
                    + " quantizable weights covered; " + Units.count(c.missing().size()) + " without an entry; "
                    + Units.count(c.mismatched().size()) + " of another length; " + Units.count(c.unused().size())
                    + " entries for no weight of the model"));
        }
        int labelWidth = lines.stream().mapToInt(l -> l.label().length()).max().orElse(0) + 1;
        for (SummaryText.Line l : lines) {
            out.println((l.label() + ":").concat(" ".repeat(labelWidth - l.label().length())) + " " + l.value());
        }

        out.println();
        out.println("Entries (" + Units.count(m.entriesCount()) + ", by name)");
        if (m.entriesCount() > 0) {
            TextTable t = new TextTable().column("NAME", Align.LEFT).column("LENGTH", Align.RIGHT).column("SLICES", Align.RIGHT)
                    .column("UNSEEN", Align.RIGHT).column("COUNT", Align.RIGHT).column("MIN", Align.RIGHT).column("MAX", Align.RIGHT);
            for (ImatrixEntry e : m.entries().values()) {
                t.row(SafeText.escape(e.name()), Units.count(e.rowLength()), Units.count(e.slices()), Units.count(e.zeroCountSlices()),
                        countRange(e), ErrorText.sci(e.min()), ErrorText.sci(e.max()));
            }
            t.print(out, INDENT);
            out.println();
            out.println("LENGTH: values per slice (a legacy entry does not say how it is sliced: all its values). SLICES: experts"
                    + " of a 3-D weight, else 1. UNSEEN: slices with no token (weight 1). COUNT: activation rows counted"
                    + (m.format() == ImatrixFormat.LEGACY ? " (legacy: ncall)" : "") + ". MIN, MAX: the values llama-quantize uses"
                    + " (sum / count).");
        }
        if (r.coverage() != null) {
            coverageText(r.coverage(), out);
        }
        out.flush();
    }

    private static void coverageText(ImatrixCoverage c, PrintWriter out) {
        if (!c.missing().isEmpty()) {
            out.println();
            out.println("Weights without an entry (" + Units.count(c.missing().size()) + "): quantized without weights, or refused");
            TextTable t = new TextTable().column("NAME", Align.LEFT).column("WITHOUT AN ENTRY", Align.LEFT);
            for (ImatrixCoverage.Missing x : c.missing()) {
                t.row(SafeText.escape(x.name()), x.requiredBy().isEmpty() ? "quantized without weights in every file type"
                        : "llama-quantize refuses " + x.requiredBy().stream().map(LlamaFileType::shortName).collect(Collectors.joining(", ")));
            }
            t.print(out, INDENT);
        }
        if (!c.mismatched().isEmpty()) {
            out.println();
            out.println("Entries of another length (" + Units.count(c.mismatched().size()) + ")");
            TextTable t = new TextTable().column("NAME", Align.LEFT).column("ENTRY", Align.RIGHT).column("TENSOR", Align.RIGHT)
                    .column("LLAMA-QUANTIZE", Align.LEFT);
            for (ImatrixCoverage.Mismatch x : c.mismatched()) {
                t.row(SafeText.escape(x.name()), Units.count(x.entry()), Units.count(x.expected()),
                        x.fatal() ? "fails every run that converts it" : "quantizes it without weights");
            }
            t.print(out, INDENT);
        }
        if (!c.unused().isEmpty()) {
            out.println();
            out.println("Entries for no weight of the model (" + Units.count(c.unused().size()) + ")");
            c.unused().forEach(n -> out.println(INDENT + SafeText.escape(n)));
        }
    }

    private static String countRange(ImatrixEntry e) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float c : e.counts()) {
            lo = Math.min(lo, c);
            hi = Math.max(hi, c);
        }
        String a = count(lo);
        return lo == hi ? a : a + ".." + count(hi);
    }

    private static String count(float c) {
        return c == Math.rint(c) && Math.abs(c) < 1e15 ? Units.count((long) c) : ErrorText.sci(c);
    }

    /** A legacy imatrix, which has no GGUF fields: {@code schemaVersion}, {@code kind}, {@code file}, {@code fileBytes}, {@code imatrix}. */
    public static void json(ImatrixReport r, Writer out) throws IOException {
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", Json.SCHEMA_VERSION);
            g.writeStringField("kind", "imatrix");
            g.writeStringField("file", r.file().toString());
            g.writeNumberField("fileBytes", r.fileBytes());
            fields(g, r);
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
        out.flush();
    }

    /** The {@code imatrix} object (and, with {@code --model}, its {@code model} inside it). */
    public static void fields(JsonGenerator g, ImatrixReport r) throws IOException {
        ImatrixFile m = r.imatrix();
        g.writeObjectFieldStart("imatrix");
        g.writeStringField("format", m.format() == ImatrixFormat.GGUF ? "gguf" : "legacy");
        g.writeArrayFieldStart("datasets");
        for (String d : m.datasets()) {
            g.writeString(d);
        }
        g.writeEndArray();
        g.writeNumberField("chunkCount", m.chunkCount());
        g.writeFieldName("chunkSize");
        if (m.chunkSize() < 0) {
            g.writeNull();
        } else {
            g.writeNumber(m.chunkSize());
        }
        g.writeNumberField("entriesCount", m.entriesCount());
        g.writeNumberField("values", r.values());
        g.writeNumberField("zeroCountSlices", r.zeroCountSlices());
        real(g, "min", r.min());
        real(g, "max", r.max());
        g.writeStringField("nonFiniteValue", m.nonFiniteValue());
        g.writeArrayFieldStart("entries");
        for (ImatrixEntry e : m.entries().values()) {
            g.writeStartObject();
            g.writeStringField("name", e.name());
            g.writeNumberField("length", e.rowLength());
            g.writeNumberField("slices", e.slices());
            g.writeNumberField("zeroCountSlices", e.zeroCountSlices());
            g.writeArrayFieldStart("counts");
            for (float c : e.counts()) {
                g.writeNumber(c);
            }
            g.writeEndArray();
            real(g, "min", e.min());
            real(g, "max", e.max());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (r.coverage() != null) {
            coverageJson(g, r);
        }
        g.writeEndObject();
    }

    private static void coverageJson(JsonGenerator g, ImatrixReport r) throws IOException {
        ImatrixCoverage c = r.coverage();
        g.writeObjectFieldStart("model");
        g.writeStringField("file", r.model().toString());
        g.writeNumberField("weights", c.weights().size());
        g.writeArrayFieldStart("covered");
        for (String n : c.covered()) {
            g.writeString(n);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("missing");
        for (ImatrixCoverage.Missing x : c.missing()) {
            g.writeStartObject();
            g.writeStringField("name", x.name());
            g.writeArrayFieldStart("requiredBy");
            for (LlamaFileType f : x.requiredBy()) {
                g.writeString(f.enumName());
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("lengthMismatches");
        for (ImatrixCoverage.Mismatch x : c.mismatched()) {
            g.writeStartObject();
            g.writeStringField("name", x.name());
            g.writeNumberField("entryLength", x.entry());
            g.writeNumberField("tensorLength", x.expected());
            g.writeBooleanField("fatal", x.fatal());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("unusedEntries");
        for (String n : c.unused()) {
            g.writeString(n);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void real(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeStringField(field, "NaN");
        } else if (Double.isInfinite(v)) {
            g.writeStringField(field, v > 0 ? "Infinity" : "-Infinity");
        } else {
            g.writeNumberField(field, (float) v); // the values are floats: their shortest form
        }
    }
}
