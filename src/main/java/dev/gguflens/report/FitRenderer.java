package dev.gguflens.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.gguflens.memory.ComputeBuffer;
import dev.gguflens.memory.ContextMemory;
import dev.gguflens.memory.ContextOptions;
import dev.gguflens.memory.KvCache;
import dev.gguflens.memory.RecurrentState;
import dev.gguflens.memory.ResolvedContext;
import dev.gguflens.plan.Plan;
import dev.gguflens.report.TextTable.Align;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders a {@link FitReport} as text (sizes in MiB as llama.cpp prints them) or as the JSON of docs/json.md (bytes). */
public final class FitRenderer {
    private static final String INDENT = "  ";
    /** Marks a compute figure that is only a lower bound. */
    static final String AT_LEAST = ">=";

    private FitRenderer() {
    }

    public static void text(FitReport r, PrintWriter out) {
        out.println(bestLine(r));
        out.println("Budget: " + Units.gib(r.budget()) + " GiB (" + Units.mib(r.budget()) + " MiB, " + Units.count(r.budget()) + " bytes)");
        out.println("Context: " + contextLine(r.context()));
        out.println();
        out.println("Models (" + r.models().size() + "), memory besides the weights");
        TextTable models = new TextTable().column("MODEL", Align.LEFT).column("ARCH", Align.LEFT).column("N_CTX", Align.RIGHT)
                .column("CACHE CELLS", Align.RIGHT).column("KV CACHE (MiB)", Align.RIGHT).column("OUTPUT (MiB)", Align.RIGHT)
                .column("COMPUTE (MiB)", Align.RIGHT);
        List<String> notes = new ArrayList<>();
        for (FitReport.Model m : r.models()) {
            String name = SafeText.escapeControls(m.source());
            ContextMemory c = m.memory();
            String arch = SafeText.escape(m.dims().architecture());
            if (c.refused()) {
                models.row(name, arch, SimulateText.ABSENT, SimulateText.ABSENT, "refused", SimulateText.ABSENT, SimulateText.ABSENT);
                notes.add(name + ": llama.cpp refuses the context: " + SafeText.escape(c.refusal()));
            } else {
                ResolvedContext x = c.context();
                models.row(name, arch, x.ctx() + (x.ctxFromModel() ? " (model)" : ""), cells(c), Units.mib(c.cacheBytes()),
                        Units.mib(c.output()), compute(c.compute()));
            }
            for (String n : c.notes()) {
                notes.add(name + ": " + SafeText.escape(n));
            }
        }
        models.print(out, INDENT);
        for (String n : notes) {
            out.println(INDENT + n);
        }
        out.println();
        out.println("Options (" + Units.count(r.options().size()) + "), smallest total first");
        TextTable t = new TextTable().column("FITS", Align.LEFT).column("MODEL", Align.LEFT).column("FILE TYPE", Align.LEFT)
                .column("WEIGHTS (MiB)", Align.RIGHT).column("KV CACHE (MiB)", Align.RIGHT).column("OUTPUT (MiB)", Align.RIGHT)
                .column("COMPUTE (MiB)", Align.RIGHT).column("TOTAL (MiB)", Align.RIGHT).column("MARGIN (MiB)", Align.RIGHT);
        if (r.measured()) {
            t.column("REL RMSE", Align.RIGHT);
        }
        t.column("NOTES", Align.LEFT);
        for (FitReport.Option o : r.options()) {
            t.row(row(r, o));
        }
        t.print(out, INDENT);
        out.println();
        for (String line : footer(r)) {
            out.println(line);
        }
        out.flush();
    }

    private static String[] row(FitReport r, FitReport.Option o) {
        List<String> cells = new ArrayList<>();
        String model = SafeText.escapeControls(r.models().get(o.model()).source());
        ContextMemory c = o.memory();
        boolean sized = o.sized();
        cells.add(!sized ? SimulateText.ABSENT : o.fits() ? "yes" : "no");
        cells.add(model);
        cells.add(o.result().ftype().shortName());
        cells.add(o.sizedPlan() == null ? SimulateText.ABSENT : Units.mib(o.weights()));
        cells.add(c.refused() ? SimulateText.ABSENT : Units.mib(c.cacheBytes()));
        cells.add(c.refused() ? SimulateText.ABSENT : Units.mib(c.output()));
        cells.add(c.refused() ? SimulateText.ABSENT : compute(c.compute()));
        cells.add(sized ? Units.mib(o.total()) : SimulateText.ABSENT);
        cells.add(sized ? Units.mib(o.margin()) : SimulateText.ABSENT);
        if (r.measured()) {
            cells.add(o.result().error() == null ? SimulateText.ABSENT : ErrorText.relative(o.result().error().model()));
        }
        cells.add(notes(r, o));
        return cells.toArray(String[]::new);
    }

    private static String notes(FitReport r, FitReport.Option o) {
        List<String> n = new ArrayList<>();
        if (r.best() != null && r.best().option() == o) {
            n.add("best");
        }
        if (o.needsImatrix()) {
            n.add("needs an imatrix");
        } else if (!o.result().ok()) {
            n.add("llama-quantize refuses: " + SafeText.escape(o.result().plan().message()));
        }
        if (o.memory().refused()) {
            n.add("llama.cpp refuses the context");
        }
        if (o.result().errorFailure() != null) {
            n.add("not measured: " + SafeText.escape(o.result().errorFailure()));
        }
        return n.isEmpty() ? "" : String.join("; ", n);
    }

    private static String bestLine(FitReport r) {
        FitReport.Best best = r.best();
        if (best == null) {
            FitReport.Option smallest = r.options().stream().filter(FitReport.Option::sized).findFirst().orElse(null);
            if (smallest == null) {
                return "Nothing fits: no option could be sized.";
            }
            return "Nothing fits in " + Units.mib(r.budget()) + " MiB: the smallest option, " + name(r, smallest) + ", needs "
                    + Units.mib(smallest.total()) + " MiB" + (smallest.needsImatrix() ? " (with an importance matrix)" : "") + ".";
        }
        FitReport.Option o = best.option();
        String rule = switch (best.rule()) {
            case LOWEST_ERROR -> "the smallest measured relative RMSE (" + ErrorText.relative(o.result().error().model())
                    + ") among the options that fit";
            case LARGEST_THAT_FITS -> "the largest option that fits, the most bits the budget allows"
                    + (r.measured() ? " (no option that fits was measured)" : "; --error chooses by measured error instead");
        };
        return "Best that fits: " + name(r, o) + ", " + Units.mib(o.total()) + " MiB of " + Units.mib(r.budget()) + " MiB, "
                + Units.mib(o.margin()) + " MiB to spare. Rule: " + rule + ".";
    }

    private static String name(FitReport r, FitReport.Option o) {
        return SafeText.escapeControls(r.models().get(o.model()).source()) + " " + o.result().ftype().shortName() + " ("
                + o.result().ftype().label() + ")";
    }

    private static List<String> footer(FitReport r) {
        List<String> lines = new ArrayList<>();
        lines.add("Sizes in MiB (1,048,576 bytes) as llama.cpp prints its buffers; --json gives exact bytes. Total = weights + KV cache"
                + " + output + compute, for llama.cpp on the CPU (GPU backends add buffers of their own).");
        lines.add("WEIGHTS: the planned file's tensor bytes, which llama.cpp maps. KV CACHE (with a recurrent model's state) and OUTPUT:"
                + " what llama.cpp allocates, to the byte. COMPUTE: an estimate of llama.cpp's CPU compute buffer, within 10% of its own"
                + " figures for the llama, qwen2, gemma3, deepseek2 and mamba graphs measured; " + AT_LEAST + ": a lower bound (graph"
                + " not modelled).");
        if (r.measured()) {
            boolean quantizedSource = r.options().stream().anyMatch(o -> o.result().ok()
                    && o.result().plan().tensors().stream().anyMatch(t -> t.sourceType().quantized()));
            lines.add("REL RMSE: the quantized weights' relative RMSE, measured for the options that fit"
                    + (r.sampling() == null ? "" : " on a " + ErrorText.fraction(r.sampling().fraction()) + " sample of blocks (seed "
                    + r.sampling().seed() + "), ± the larger side of its 95% confidence interval") + "."
                    + (quantizedSource ? " A quantized source's errors are against its own decoded values, not the original weights." : ""));
        }
        return lines;
    }

    private static String contextLine(ContextOptions o) {
        List<String> parts = new ArrayList<>();
        parts.add(o.ctx() == 0 ? "n_ctx from each model's context_length" : "n_ctx " + o.ctx());
        parts.add("n_batch " + o.batch() + ", n_ubatch " + o.ubatch());
        parts.add(o.parallel() == 1 ? "1 sequence" : o.parallel() + " sequences" + (o.kvUnified() ? " in one unified cache" : ", a cache each"));
        parts.add("K/V cache " + o.typeK().ggmlName() + "/" + o.typeV().ggmlName());
        parts.add("flash attention " + o.flashAttention().name().toLowerCase(Locale.ROOT)
                + (o.flashAttention() == ContextOptions.FlashAttention.AUTO ? " (on, as llama.cpp resolves it on the CPU)" : ""));
        parts.add(o.swaFull() ? "full-size sliding-window caches" : "window-sized sliding-window caches");
        return String.join(", ", parts);
    }

    private static String cells(ContextMemory c) {
        KvCache kv = c.kv();
        RecurrentState rs = c.recurrent();
        List<String> parts = new ArrayList<>();
        if (kv.layers() + kv.swaLayers() > 0) {
            String per = kv.cells() + (kv.swaLayers() > 0 ? "+" + kv.swaCells() : "");
            parts.add(kv.streams() > 1 ? kv.streams() + "x" + per : per);
        }
        if (rs.layers() > 0) {
            parts.add(rs.cells() + " state" + (rs.cells() == 1 ? "" : "s"));
        }
        return parts.isEmpty() ? SimulateText.ABSENT : String.join(", ", parts);
    }

    private static String compute(ComputeBuffer b) {
        return (b.lowerBound() ? AT_LEAST : "") + Units.mib(b.bytes());
    }

    /** The JSON of docs/json.md: every size in bytes. */
    public static void json(FitReport r, Writer out) throws IOException {
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", Json.SCHEMA_VERSION);
            g.writeNumberField("budgetBytes", r.budget());
            contextOptions(g, r.context());
            g.writeFieldName("best");
            if (r.best() == null) {
                g.writeNull();
            } else {
                FitReport.Option o = r.best().option();
                g.writeStartObject();
                g.writeNumberField("model", o.model());
                g.writeStringField("source", r.models().get(o.model()).source());
                g.writeStringField("ftype", o.result().ftype().enumName());
                g.writeStringField("rule", r.best().rule() == FitReport.Rule.LOWEST_ERROR ? "lowestError" : "largestThatFits");
                g.writeNumberField("totalBytes", o.total());
                g.writeEndObject();
            }
            g.writeArrayFieldStart("models");
            for (FitReport.Model m : r.models()) {
                model(g, m);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("options");
            for (FitReport.Option o : r.options()) {
                option(g, r, o);
            }
            g.writeEndArray();
            if (r.measured()) {
                g.writeFieldName("errorSample");
                if (r.sampling() == null) {
                    g.writeNull();
                } else {
                    g.writeStartObject();
                    g.writeNumberField("fraction", r.sampling().fraction());
                    g.writeNumberField("seed", r.sampling().seed());
                    g.writeEndObject();
                }
            }
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
        out.flush();
    }

    private static void contextOptions(JsonGenerator g, ContextOptions o) throws IOException {
        g.writeObjectFieldStart("contextOptions");
        if (o.ctx() == 0) {
            g.writeNullField("ctx");
        } else {
            g.writeNumberField("ctx", o.ctx());
        }
        g.writeNumberField("batch", o.batch());
        g.writeNumberField("ubatch", o.ubatch());
        g.writeNumberField("parallel", o.parallel());
        g.writeBooleanField("kvUnified", o.kvUnified());
        g.writeBooleanField("swaFull", o.swaFull());
        g.writeStringField("flashAttention", o.flashAttention().name().toLowerCase(Locale.ROOT));
        g.writeStringField("typeK", o.typeK().name());
        g.writeStringField("typeV", o.typeV().name());
        g.writeEndObject();
    }

    private static void model(JsonGenerator g, FitReport.Model m) throws IOException {
        ContextMemory c = m.memory();
        g.writeStartObject();
        g.writeStringField("source", m.source());
        g.writeStringField("architecture", m.dims().architecture());
        g.writeStringField("memory", m.dims().memory().name().toLowerCase(Locale.ROOT));
        g.writeStringField("refusal", c.refusal());
        if (!c.refused()) {
            ResolvedContext x = c.context();
            g.writeObjectFieldStart("context");
            g.writeNumberField("ctx", x.ctx());
            g.writeBooleanField("ctxFromModel", x.ctxFromModel());
            g.writeNumberField("ctxPerSequence", x.ctxPerSequence());
            g.writeNumberField("streams", x.streams());
            g.writeNumberField("sequences", x.sequences());
            g.writeNumberField("batch", x.batch());
            g.writeNumberField("ubatch", x.ubatch());
            g.writeBooleanField("flashAttention", x.flashAttention());
            g.writeEndObject();
            KvCache kv = c.kv();
            g.writeObjectFieldStart("kvCache");
            g.writeNumberField("bytes", kv.bytes());
            g.writeNumberField("kBytes", kv.kBytes());
            g.writeNumberField("vBytes", kv.vBytes());
            g.writeNumberField("cells", kv.cells());
            g.writeNumberField("swaCells", kv.swaCells());
            g.writeNumberField("streams", kv.streams());
            g.writeNumberField("layers", kv.layers());
            g.writeNumberField("swaLayers", kv.swaLayers());
            g.writeEndObject();
            RecurrentState rs = c.recurrent();
            g.writeObjectFieldStart("recurrentState");
            g.writeNumberField("bytes", rs.bytes());
            g.writeNumberField("rBytes", rs.rBytes());
            g.writeNumberField("sBytes", rs.sBytes());
            g.writeNumberField("cells", rs.cells());
            g.writeNumberField("layers", rs.layers());
            g.writeEndObject();
            g.writeNumberField("outputBytes", c.output());
            g.writeNumberField("computeBytes", c.compute().bytes());
            g.writeBooleanField("computeLowerBound", c.compute().lowerBound());
            g.writeNumberField("bytes", c.bytes());
        }
        g.writeArrayFieldStart("notes");
        for (String n : c.notes()) {
            g.writeString(n);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void option(JsonGenerator g, FitReport r, FitReport.Option o) throws IOException {
        SimulateResult s = o.result();
        g.writeStartObject();
        g.writeNumberField("model", o.model());
        g.writeStringField("source", r.models().get(o.model()).source());
        g.writeStringField("ftype", s.ftype().enumName());
        g.writeStringField("status", s.ok() ? "ok" : "failed");
        if (!s.ok()) {
            g.writeStringField("message", s.plan().message());
        }
        g.writeBooleanField("imatrixRequired", o.needsImatrix());
        Plan sized = o.sizedPlan();
        if (sized == null) {
            g.writeNullField("weightsBytes");
        } else {
            g.writeNumberField("weightsBytes", sized.tensorBytes());
        }
        if (o.sized()) {
            g.writeNumberField("totalBytes", o.total());
            g.writeNumberField("marginBytes", o.margin());
        } else {
            g.writeNullField("totalBytes");
            g.writeNullField("marginBytes");
        }
        g.writeBooleanField("fits", o.fits());
        g.writeBooleanField("best", r.best() != null && r.best().option() == o);
        if (r.measured()) {
            if (Double.isNaN(o.error())) {
                g.writeNullField("relativeRmse");
            } else {
                g.writeNumberField("relativeRmse", o.error());
            }
            g.writeStringField("errorFailure", s.errorFailure());
        }
        g.writeEndObject();
    }
}
