package dev.gguflens.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.ImatrixUse;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.plan.TensorTypeOverride;
import dev.gguflens.sim.ErrorIntervals;
import dev.gguflens.sim.ErrorStats;
import dev.gguflens.sim.Interval;
import dev.gguflens.sim.Sampling;
import dev.gguflens.sim.SimulationResult;
import dev.gguflens.sim.TensorError;
import dev.gguflens.sim.TensorRole;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * Renders a simulate report as the JSON documented in docs/json.md ("simulate"): the source's fields,
 * then for one file type that result's fields at the top level, for several a {@code results} array of them.
 */
public final class SimulateJsonRenderer {
    private SimulateJsonRenderer() {
    }

    public static void render(SimulateReport r, Writer out) throws IOException {
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", Json.SCHEMA_VERSION);
            fileFields(g, r);
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
        out.flush();
    }

    /** One source's fields and its result(s): the whole object of a one-file run, an element of {@code files} otherwise. */
    static void fileFields(JsonGenerator g, SimulateReport r) throws IOException {
        source(g, r);
        if (r.errors() != null) {
            Sampling s = r.errors().sampling();
            g.writeFieldName("errorSample");
            if (s == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                g.writeNumberField("fraction", s.fraction());
                g.writeNumberField("seed", s.seed());
                g.writeEndObject();
            }
        }
        if (r.single()) {
            resultFields(g, r, r.results().getFirst());
        } else {
            g.writeArrayFieldStart("results");
            for (SimulateResult s : r.results()) {
                g.writeStartObject();
                resultFields(g, r, s);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    private static void source(JsonGenerator g, SimulateReport r) throws IOException {
        ModelSummary s = r.summary();
        g.writeStringField("source", r.file().path() == null ? null : r.file().path().toString());
        ModelSummary.FileTypeFact ft = s.fileType();
        g.writeStringField("sourceFileType", ft.type() == null ? null : ft.type().enumName());
        g.writeBooleanField("sourceFileTypeGuessed", ft.guessed());
        g.writeNumberField("sourceFileBytes", r.file().fileSize());
        g.writeNumberField("sourceTensorBytes", s.tensorBytes());
        g.writeFieldName("parameters");
        if (s.parameters() == null) {
            g.writeNull();
        } else {
            g.writeNumber(s.parameters());
        }
        g.writeFieldName("sourceBitsPerWeight");
        if (s.bitsPerWeight() == null) {
            g.writeNull();
        } else {
            g.writeNumber(s.bitsPerWeight());
        }
        g.writeArrayFieldStart("sourceQuantizedTypes");
        for (GgmlType t : r.quantizedSourceTypes()) {
            g.writeString(t.name());
        }
        g.writeEndArray();
        options(g, r);
        if (r.tensors() != null && r.tensors().filter() != null) {
            g.writeStringField("tensorFilter", r.tensors().filter().pattern());
        }
    }

    /** The options every result was planned with (only the file type differs between results). */
    private static void options(JsonGenerator g, SimulateReport r) throws IOException {
        QuantizeOptions o = r.results().getFirst().plan().options();
        g.writeObjectFieldStart("options");
        g.writeBooleanField("pure", o.pure());
        g.writeStringField("outputTensorType", o.outputTensorType() == null ? null : o.outputTensorType().name());
        g.writeStringField("tokenEmbeddingType", o.tokenEmbeddingType() == null ? null : o.tokenEmbeddingType().name());
        g.writeArrayFieldStart("tensorTypes");
        for (TensorTypeOverride t : o.tensorTypes()) {
            g.writeStartObject();
            g.writeStringField("pattern", t.pattern());
            g.writeStringField("type", t.type().name());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("leaveOutputTensor", o.leaveOutputTensor());
        g.writeBooleanField("allowRequantize", o.allowRequantize());
        switch (r.imatrix()) {
            case ImatrixMode.None n -> g.writeStringField("imatrix", "none");
            case ImatrixMode.Assumed a -> g.writeStringField("imatrix", "assumed");
            case ImatrixMode.FromFile(ImatrixFile f) -> {
                g.writeStringField("imatrix", "file");
                g.writeStringField("imatrixFile", f.name());
                g.writeNumberField("imatrixEntries", f.entriesCount());
            }
        }
        g.writeEndObject();
    }

    /** One file type's fields (the error simulation adds its own object here). */
    private static void resultFields(JsonGenerator g, SimulateReport r, SimulateResult s) throws IOException {
        Plan p = s.plan();
        g.writeStringField("ftype", p.ftype().enumName());
        g.writeNumberField("ftypeId", p.ftype().id());
        g.writeStringField("status", p.ok() ? "ok" : "failed");
        if (!p.ok()) {
            g.writeStringField("message", p.message());
        }
        nullableLong(g, "fileBytes", p.ok(), p.fileBytes());
        nullableLong(g, "tensorBytes", p.ok(), p.tensorBytes());
        g.writeFieldName("bitsPerWeight");
        if (p.ok()) {
            g.writeNumber(p.bitsPerWeight());
        } else {
            g.writeNull();
        }
        nullableLong(g, "changeBytes", p.ok(), s.changeBytes(r.file().fileSize()));
        g.writeNumberField("fallbacks", p.fallbackCount());
        g.writeNumberField("requantizedTensors", s.requantizedTensors());
        g.writeBooleanField("imatrixRequired", s.imatrixRequired());
        Plan w = s.withImatrix();
        if (w != null && w.ok()) {
            g.writeObjectFieldStart("withImatrix");
            g.writeNumberField("fileBytes", w.fileBytes());
            g.writeNumberField("tensorBytes", w.tensorBytes());
            g.writeNumberField("bitsPerWeight", w.bitsPerWeight());
            if (p.ok()) {
                g.writeNumberField("changedTensors", s.tensorsChangedByImatrix());
            }
            g.writeEndObject();
        }
        if (r.imatrix() instanceof ImatrixMode.FromFile && p.ok()) {
            g.writeArrayFieldStart("unweightedTensors");
            for (PlannedTensor t : s.unweightedTensors()) {
                g.writeStartObject();
                g.writeStringField("name", t.name());
                g.writeStringField("reason", t.imatrix() == ImatrixUse.NO_ENTRY ? "noEntry" : "wrongLength");
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (s.withoutImatrix() != null) {
            withoutImatrix(g, s.withoutImatrix());
        }
        g.writeArrayFieldStart("warnings");
        for (String warning : p.warnings()) {
            g.writeString(warning);
        }
        g.writeEndArray();
        SimulationResult m = s.error();
        if (r.errors() != null) {
            g.writeStringField("errorFailure", s.errorFailure());
            g.writeFieldName("error");
            if (m == null) {
                g.writeNull();
            } else {
                g.writeStartObject();
                statsFields(g, m.model());
                g.writeBooleanField("againstDecodedSource", m.sourceQuantized());
                TensorError worst = m.worstTensor();
                g.writeStringField("worstTensor", worst == null || !(worst.error().relativeRmse() > 0) ? null : worst.name());
                g.writeObjectFieldStart("byRole");
                for (Map.Entry<TensorRole, ErrorStats> e : m.byRole().entrySet()) {
                    g.writeFieldName(e.getKey().label());
                    stats(g, e.getValue());
                }
                g.writeEndObject();
                g.writeObjectFieldStart("byLayer");
                for (Map.Entry<Integer, ErrorStats> e : m.byLayer().entrySet()) {
                    g.writeFieldName(Integer.toString(e.getKey()));
                    stats(g, e.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
        }
        if (r.tensors() != null) {
            Map<String, TensorError> errors = s.tensorErrors();
            g.writeArrayFieldStart("tensors");
            for (PlannedTensor t : r.tensors().filter() == null ? p.tensors()
                    : p.tensors().stream().filter(t -> r.tensors().filter().matcher(t.name()).find()).toList()) {
                tensor(g, t, m == null ? null : errors.get(t.name()), r.imatrix() instanceof ImatrixMode.FromFile);
            }
            g.writeEndArray();
        }
    }

    /** {@code --compare-imatrix}: the same file type without the importance matrix. */
    private static void withoutImatrix(JsonGenerator g, SimulateResult.Unweighted u) throws IOException {
        Plan p = u.plan();
        g.writeObjectFieldStart("withoutImatrix");
        g.writeStringField("status", p.ok() ? "ok" : "failed");
        if (!p.ok()) {
            g.writeStringField("message", p.message());
        }
        nullableLong(g, "fileBytes", p.ok(), p.fileBytes());
        nullableLong(g, "tensorBytes", p.ok(), p.tensorBytes());
        g.writeFieldName("bitsPerWeight");
        if (p.ok()) {
            g.writeNumber(p.bitsPerWeight());
        } else {
            g.writeNull();
        }
        g.writeStringField("errorFailure", u.failure());
        g.writeFieldName("error");
        if (u.error() == null) {
            g.writeNull();
        } else {
            g.writeStartObject();
            statsFields(g, u.error().model());
            TensorError worst = u.error().worstTensor();
            g.writeStringField("worstTensor", worst == null || !(worst.error().relativeRmse() > 0) ? null : worst.name());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** An {@link ErrorStats} as the {@code error} object of docs/json.md. */
    private static void stats(JsonGenerator g, ErrorStats e) throws IOException {
        g.writeStartObject();
        statsFields(g, e);
        g.writeEndObject();
    }

    private static void statsFields(JsonGenerator g, ErrorStats e) throws IOException {
        g.writeNumberField("n", e.n());
        g.writeNumberField("measured", e.measured());
        real(g, "sse", e.sse());
        real(g, "rmse", e.rmse());
        real(g, "maxAbs", e.maxAbs());
        real(g, "sourceRms", e.sourceRms());
        real(g, "relativeRmse", e.relativeRmse());
        real(g, "snrDb", e.snrDb());
        real(g, "cosine", e.cosine());
        real(g, "p50", e.p50());
        real(g, "p95", e.p95());
        real(g, "p99", e.p99());
        ErrorIntervals i = e.intervals();
        if (i != null) {
            g.writeObjectFieldStart("intervals");
            interval(g, "sse", i.sse());
            interval(g, "rmse", i.rmse());
            interval(g, "relativeRmse", i.relativeRmse());
            interval(g, "snrDb", i.snrDb());
            interval(g, "cosine", i.cosine());
            interval(g, "p50", i.p50());
            interval(g, "p95", i.p95());
            interval(g, "p99", i.p99());
            g.writeEndObject();
        }
    }

    private static void interval(JsonGenerator g, String field, Interval i) throws IOException {
        g.writeFieldName(field);
        if (i == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        real(g, "low", i.low());
        real(g, "high", i.high());
        g.writeEndObject();
    }

    /** A double as a JSON number; NaN and the infinities as the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}. */
    private static void real(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeStringField(field, "NaN");
        } else if (Double.isInfinite(v)) {
            g.writeStringField(field, v > 0 ? "Infinity" : "-Infinity");
        } else {
            g.writeNumberField(field, v);
        }
    }

    private static void tensor(JsonGenerator g, PlannedTensor t, TensorError e, boolean imatrixFile) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeStringField("sourceType", t.sourceType().name());
        g.writeStringField("targetType", t.targetType().name());
        g.writeNumberField("sourceBytes", t.sourceBytes());
        g.writeNumberField("bytes", t.targetBytes());
        g.writeNumberField("offset", t.offset());
        g.writeStringField("reason", t.reason());
        if (imatrixFile && !t.copied()) {
            g.writeBooleanField("weighted", t.imatrix() == ImatrixUse.WEIGHTED);
        }
        if (e != null) {
            g.writeFieldName("error");
            stats(g, e.error());
        }
        g.writeEndObject();
    }

    private static void nullableLong(JsonGenerator g, String field, boolean present, long value) throws IOException {
        g.writeFieldName(field);
        if (present) {
            g.writeNumber(value);
        } else {
            g.writeNull();
        }
    }
}
