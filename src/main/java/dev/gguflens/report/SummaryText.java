package dev.gguflens.report;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufStream;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.gguf.TensorInfo;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The summary and table cells of an inspect report as safe text, shared by the text and markdown renderers. */
final class SummaryText {
    /** Shown for a fact the file does not state. */
    static final String ABSENT = "-";

    private SummaryText() {
    }

    /** One labelled line of the summary. */
    record Line(String label, String value) {
    }

    static List<Line> lines(InspectReport r) {
        GgufFile f = r.file();
        ModelSummary s = r.summary();
        List<Line> lines = new ArrayList<>();
        if (f.path() != null) {
            lines.add(new Line("File", SafeText.escapeControls(f.path().toString())));
        }
        boolean split = !f.parts().isEmpty();
        GgufStream stream = f.stream().orElse(null);
        if (stream != null) {
            lines.add(new Line("Member", SafeText.escapeControls(stream.member()) + " (in " + stream.container()
                    + "; its header read from the stream)"));
        }
        if (split) {
            lines.add(new Line("Split", Units.count(f.parts().size()) + " parts (gguf-split), read as one model: metadata from"
                    + " part 1, tensors from every part"));
        }
        lines.add(new Line("Format", "GGUF v" + f.version() + ", "
                + (f.byteOrder() == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian")
                + ", alignment " + f.alignment() + ", data section " + (split ? "of part 1 " : "") + "at byte "
                + Units.count(f.dataOffset())));
        lines.add(new Line("Architecture", text(s.architecture())));
        lines.add(new Line("Name", text(s.name())));
        lines.add(new Line("Parameters", s.parameters() == null ? "more than 2^63"
                : Units.parameters(s.parameters()) + " (" + Units.count(s.parameters()) + ")"));
        lines.add(new Line("File type", fileType(s.fileType())));
        lines.add(new Line("File size", Units.bytesExact(f.fileSize()) + (split ? " in " + Units.count(f.parts().size()) + " files"
                : stream != null && stream.size() < 0 ? " (as its header lays it out: the " + stream.format() + " stream does not say)"
                : "")));
        String tensors = Units.count(s.tensorCount()) + (s.tensorCount() == 1 ? " tensor" : " tensors");
        if (s.unknownSizeTensors() > 0) {
            tensors += ", " + Units.count(s.unknownSizeTensors()) + " of unknown size not counted";
        }
        lines.add(new Line("Tensor data", Units.bytesExact(s.tensorBytes()) + " in " + tensors));
        lines.add(new Line("Bits per weight", s.bitsPerWeight() == null ? ABSENT
                : String.format(Locale.ROOT, "%.2f", s.bitsPerWeight())));
        lines.add(new Line("Context length", s.contextLength() == null ? ABSENT : Units.count(s.contextLength()) + " tokens"));
        lines.add(new Line("Layers", count(s.layers())));
        lines.add(new Line("Attention heads", perLayer(s.headCount())));
        lines.add(new Line("KV heads", perLayer(s.headCountKv())));
        String experts = count(s.experts());
        if (s.expertsUsed() != null) {
            experts += " (" + Units.count(s.expertsUsed()) + " used per token)";
        }
        lines.add(new Line("Experts", experts));
        lines.add(new Line("Vocabulary", s.vocabularySize() == null ? ABSENT : Units.count(s.vocabularySize()) + " tokens"));
        return lines;
    }

    static String fileType(ModelSummary.FileTypeFact ft) {
        String t = ft.type() == null ? "unknown file type id " + ft.id() : ft.type().display();
        return ft.guessed() ? t + ", guessed from the tensor types (no general.file_type)" : t;
    }

    static String perLayer(ModelSummary.PerLayer p) {
        if (p == null) {
            return ABSENT;
        }
        if (!p.perLayer()) {
            return Units.count(p.values()[0]);
        }
        return (p.min() == p.max() ? Units.count(p.min()) : Units.count(p.min()) + ".." + Units.count(p.max()))
                + " (per layer)";
    }

    /** Table cells of one per-type row: type, tensors, parameters, size, share. */
    static String[] typeRow(ModelSummary.TypeRow t) {
        return new String[] {t.type().name(), Units.count(t.tensors()), Units.count(t.parameters()),
                t.bytes() == null ? "unknown" : Units.bytes(t.bytes()), t.share() == null ? ABSENT : Units.percent(t.share())};
    }

    /** Table cells of one tensor: index, name, shape, type, size, offset. */
    static String[] tensorRow(TensorInfo t) {
        return new String[] {Integer.toString(t.index()), SafeText.escape(t.name()), shape(t.ne()), t.type().name(),
                t.bytes() < 0 ? "unknown" : Units.bytes(t.bytes()), Units.count(t.offset())};
    }

    /** {@link #tensorRow} with the tensor's part of a split model as a last cell. */
    static String[] tensorRow(TensorInfo t, int part) {
        String[] cells = tensorRow(t);
        String[] withPart = Arrays.copyOf(cells, cells.length + 1);
        withPart[cells.length] = Integer.toString(part);
        return withPart;
    }

    /** Dimensions as stored, {@code ne[0]} (the row length) first. */
    static String shape(long[] ne) {
        return Arrays.stream(ne).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String text(String s) {
        return s == null ? ABSENT : SafeText.escape(s);
    }

    private static String count(Long n) {
        return n == null ? ABSENT : Units.count(n);
    }
}
