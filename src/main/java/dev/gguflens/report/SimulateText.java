package dev.gguflens.report;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.ImatrixUse;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The lines and table cells of a simulate report as safe text, shared by the text and markdown renderers. */
final class SimulateText {
    /** Shown in a cell that has no value (a refused run has no size). */
    static final String ABSENT = "-";

    private SimulateText() {
    }

    /** The lines about the source, the target file type (null for several) and the options, common to both forms. */
    static List<SummaryText.Line> sourceLines(SimulateReport r, LlamaFileType target) {
        List<SummaryText.Line> lines = new ArrayList<>();
        if (r.file().path() != null) {
            lines.add(new SummaryText.Line("Source", SafeText.escapeControls(r.file().path().toString())));
        }
        lines.add(new SummaryText.Line("Source type", SummaryText.fileType(r.summary().fileType()) + "; "
                + Units.bytesExact(r.file().fileSize()) + "; " + parameters(r) + "; "
                + (r.summary().bitsPerWeight() == null ? ABSENT : bpw(r.summary().bitsPerWeight())) + " bits per weight"));
        if (target != null) {
            lines.add(new SummaryText.Line("Target", target.display()));
        }
        List<GgmlType> quantized = r.quantizedSourceTypes();
        if (!quantized.isEmpty()) {
            lines.add(new SummaryText.Line("Requantization", "the source is already quantized ("
                    + quantized.stream().map(GgmlType::name).collect(Collectors.joining(", "))
                    + "): planned as llama-quantize --allow-requantize (a tensor that changes type is dequantized and"
                    + " quantized again)"));
        }
        lines.add(new SummaryText.Line("Options", r.options().isEmpty() ? "llama-quantize's defaults"
                : SafeText.escapeControls(String.join(" ", r.options()))));
        return lines;
    }

    /** The detailed form's summary: source, target, options, the output's sizes and how it compares. */
    static List<SummaryText.Line> singleLines(SimulateReport r, SimulateResult s) {
        Plan p = s.plan();
        List<SummaryText.Line> lines = sourceLines(r, p.ftype());
        lines.add(new SummaryText.Line("Importance matrix", imatrixLine(r.imatrix(), s)));
        lines.add(new SummaryText.Line("Output file", Units.bytesExact(p.fileBytes())));
        int copied = (int) p.tensors().stream().filter(PlannedTensor::copied).count();
        int converted = p.tensors().size() - copied;
        String requantized = s.requantizedTensors() > 0 ? ", " + Units.count(s.requantizedTensors()) + " of them requantized" : "";
        lines.add(new SummaryText.Line("Tensor data", Units.bytesExact(p.tensorBytes()) + " in " + tensors(p.tensors().size())
                + " (" + Units.count(converted) + " converted" + requantized + ", " + Units.count(copied) + " copied)"));
        lines.add(new SummaryText.Line("Bits per weight", bpw(p.bitsPerWeight()) + " (as llama.cpp counts: tensor bytes x 8 / "
                + Units.count(p.parameterCount()) + " parameters; the source: " + bpw(p.sourceBitsPerWeight()) + ")"));
        long change = s.changeBytes(r.file().fileSize());
        lines.add(new SummaryText.Line("Change", signedCount(change) + " bytes (" + changePercent(change, r.file().fileSize())
                + ") against the source file"));
        if (s.error() != null) {
            lines.add(new SummaryText.Line("Error", ErrorText.modelLine(s.error())));
            if (s.withoutImatrix() != null) {
                lines.add(new SummaryText.Line("Without imatrix", withoutImatrixLine(s)));
            }
            lines.add(new SummaryText.Line("Measured", ErrorText.measuredLine(s.error())));
            if (s.error().sourceQuantized()) {
                lines.add(new SummaryText.Line("Errors against", ErrorText.againstLine()));
            }
        }
        return lines;
    }

    /** What the importance matrix does for this run, in a sentence. */
    static String imatrixLine(ImatrixMode mode, SimulateResult s) {
        String required = s.imatrixRequired() ? "; this file type requires one" : "";
        return switch (mode) {
            case ImatrixMode.None n -> {
                Plan w = s.withImatrix();
                if (w == null || !w.ok()) {
                    yield "none; with one (--imatrix FILE) llama-quantize would choose the same types";
                }
                yield "none; with one (--imatrix FILE) " + tensors(s.tensorsChangedByImatrix()) + " would get other types: "
                        + Units.bytesExact(w.fileBytes()) + ", " + bpw(w.bitsPerWeight()) + " bits per weight";
            }
            case ImatrixMode.Assumed a -> "assumed (--assume-imatrix): the types an importance matrix gives, without the"
                    + " quantize.imatrix.* keys --imatrix FILE adds" + required;
            case ImatrixMode.FromFile(ImatrixFile f) -> SafeText.escapeControls(f.name()) + ": " + Units.count(f.entriesCount())
                    + (f.entriesCount() == 1 ? " entry" : " entries") + ", " + Units.count(f.chunkCount()) + (f.chunkCount() == 1 ? " chunk" : " chunks")
                    + (f.entriesCount() > 0 ? "; adds its quantize.imatrix.* keys" : "; no entries, so llama-quantize uses none")
                    + required + unweightedNote(s);
        };
    }

    /**
     * With an imatrix file: which converted tensors go without its weights, with llama-quantize's reason
     * ({@code ; quantized without weights: token_embd.weight (no entry)}), or nothing when every one has them.
     */
    static String unweightedNote(SimulateResult s) {
        List<PlannedTensor> un = s.ok() ? s.unweightedTensors() : List.of();
        if (un.isEmpty()) {
            return "";
        }
        int limit = 5;
        String names = un.stream().limit(limit).map(t -> SafeText.escape(t.name()) + " ("
                + (t.imatrix() == ImatrixUse.NO_ENTRY ? "no entry" : "entry of another size") + ")")
                .collect(Collectors.joining(", "));
        return "; quantized without its weights: " + names + (un.size() > limit ? " and " + (un.size() - limit) + " more" : "");
    }

    /** {@code --compare-imatrix}'s summary line: the same file type's error without the importance matrix. */
    static String withoutImatrixLine(SimulateResult s) {
        SimulateResult.Unweighted u = s.withoutImatrix();
        if (!u.plan().ok()) {
            return "llama-quantize refuses it: " + SafeText.escape(u.plan().message());
        }
        if (u.error() == null) {
            return "not measured: " + SafeText.escape(u.failure());
        }
        int other = u.tensorsWithOtherTypes(s.plan());
        String sizes = other == 0 ? "" : " (" + tensors(other) + " of other types: " + Units.bytesExact(u.plan().fileBytes()) + ", "
                + bpw(u.plan().bitsPerWeight()) + " bits per weight)";
        return ErrorText.modelLine(u.error()) + sizes;
    }

    /** {@code --compare-imatrix}'s cell: the relative RMSE without the importance matrix, or why there is none. */
    static String withoutImatrixCell(SimulateResult s) {
        SimulateResult.Unweighted u = s.withoutImatrix();
        if (u == null || !s.ok()) {
            return ABSENT;
        }
        if (!u.plan().ok()) {
            return s.imatrixRequired() || u.plan().message().contains("imatrix") ? "needs one" : "refused";
        }
        return u.error() == null ? ABSENT : ErrorText.relative(u.error().model());
    }

    /**
     * Cells of one row of the file-type table: file type, status, size, bytes, bits per weight, change, with
     * {@code --error} relative RMSE and worst tensor, notes.
     */
    static String[] resultRow(SimulateReport r, SimulateResult s) {
        Plan p = s.plan();
        List<String> cells = new ArrayList<>();
        if (!p.ok()) {
            cells.addAll(List.of(p.ftype().shortName(), "failed", ABSENT, ABSENT, ABSENT, ABSENT));
        } else {
            long change = s.changeBytes(r.file().fileSize());
            cells.addAll(List.of(p.ftype().shortName(), s.errorFailure() == null ? "ok" : "failed", Units.bytes(p.fileBytes()),
                    Units.count(p.fileBytes()), bpw(p.bitsPerWeight()), changePercent(change, r.file().fileSize())));
        }
        if (r.errors() != null) {
            cells.add(s.error() == null ? ABSENT : ErrorText.relative(s.error().model()));
            if (r.errors().compareImatrix()) {
                cells.add(withoutImatrixCell(s));
            }
            cells.add(s.error() == null ? ABSENT : ErrorText.worstCell(s.error()));
        }
        cells.add(notes(r, s));
        return cells.toArray(String[]::new);
    }

    /** What the numeric columns of the file-type table mean. */
    static String columnsNote(SimulateReport r) {
        return "BPW: bits per weight as llama.cpp counts them (tensor bytes x 8 / parameters). CHANGE: output file size"
                + " against the source's " + Units.bytes(r.file().fileSize()) + ".";
    }

    /** Short notes for one row: why it failed, what an imatrix would do, fallbacks. */
    static String notes(SimulateReport r, SimulateResult s) {
        Plan p = s.plan();
        List<String> notes = new ArrayList<>();
        if (!p.ok()) {
            Plan w = s.withImatrix();
            if (s.imatrixRequired() && w != null) {
                notes.add("needs an imatrix; with one: " + Units.bytes(w.fileBytes()) + ", " + bpw(w.bitsPerWeight()) + " bpw");
            } else {
                notes.add("llama-quantize refuses: " + SafeText.escape(p.message()));
            }
            return String.join("; ", notes);
        }
        if (s.errorFailure() != null) {
            notes.add("not measured: " + SafeText.escape(s.errorFailure()));
        }
        LlamaFileType sourceType = r.summary().fileType().type();
        if (p.ftype().equals(sourceType) && !r.summary().fileType().guessed()) {
            notes.add("the source's file type");
        }
        if (s.imatrixRequired()) {
            notes.add("needs an imatrix");
        }
        if (s.withImatrix() != null && s.withImatrix().ok()) {
            notes.add("an imatrix changes " + tensors(s.tensorsChangedByImatrix()) + ": " + Units.bytes(s.withImatrix().fileBytes())
                    + ", " + bpw(s.withImatrix().bitsPerWeight()) + " bpw");
        }
        if (p.fallbackCount() > 0) {
            notes.add(tensors(p.fallbackCount()) + (p.fallbackCount() == 1 ? " falls" : " fall") + " back (rows do not fit the blocks)");
        }
        int unweighted = s.unweightedTensors().size();
        if (unweighted > 0 && r.imatrix() instanceof ImatrixMode.FromFile) {
            notes.add(tensors(unweighted) + " without imatrix weights");
        }
        SimulateResult.Unweighted u = s.withoutImatrix();
        if (u != null && u.tensorsWithOtherTypes(p) > 0) {
            notes.add("without an imatrix " + tensors(u.tensorsWithOtherTypes(p)) + " get other types: " + Units.bytes(u.plan().fileBytes())
                    + ", " + bpw(u.plan().bitsPerWeight()) + " bpw");
        }
        return String.join("; ", notes);
    }

    /**
     * The warnings of the runs, each once: the row-length fallback count is left to each row's notes when
     * several file types are shown, and every other warning (about the source) is the same for every run.
     */
    static List<String> warnings(SimulateReport r) {
        Set<String> out = new LinkedHashSet<>();
        for (SimulateResult s : r.results()) {
            for (String w : s.plan().warnings()) {
                if (r.single() || !w.endsWith("required fallback quantization")) {
                    out.add(SafeText.escape(w));
                }
            }
        }
        return List.copyOf(out);
    }

    /** The reason column of a tensor: the rule, and with an imatrix file why a converted tensor goes without its weights. */
    static String reason(SimulateReport r, PlannedTensor t) {
        String why = SafeText.escape(t.reason());
        if (r.imatrix() instanceof ImatrixMode.FromFile && t.imatrix().unweighted()) {
            why += t.imatrix() == ImatrixUse.NO_ENTRY ? "; no imatrix entry: quantized without weights"
                    : "; imatrix entry of another size: quantized without weights";
        }
        return why;
    }

    /** The type column of a tensor: {@code F16 -> Q6_K}, the source type padded so the arrows line up. */
    static String typeChange(PlannedTensor t, int sourceWidth) {
        return pad(t.sourceType().name(), sourceWidth) + " -> " + t.targetType().name();
    }

    /** The size column of a tensor: {@code 256.00 KiB -> 105.00 KiB}, both sides right-aligned. */
    static String sizeChange(PlannedTensor t, int beforeWidth, int afterWidth) {
        String after = Units.bytes(t.targetBytes());
        return padLeft(Units.bytes(t.sourceBytes()), beforeWidth) + " -> " + padLeft(after, afterWidth);
    }

    static String bpw(double bitsPerWeight) {
        return String.format(Locale.ROOT, "%.2f", bitsPerWeight);
    }

    static String changePercent(long change, long sourceBytes) {
        return sourceBytes == 0 ? ABSENT : String.format(Locale.ROOT, "%+.1f%%", change * 100.0 / sourceBytes);
    }

    static String signedCount(long n) {
        return (n > 0 ? "+" : "") + Units.count(n);
    }

    static String tensors(int n) {
        return Units.count(n) + (n == 1 ? " tensor" : " tensors");
    }

    private static String parameters(SimulateReport r) {
        Long n = r.summary().parameters();
        return n == null ? "more than 2^63 parameters" : Units.parameters(n) + " parameters";
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
