package dev.gguflens.report;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.PlannedTensor;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What {@code gguflens simulate} shows: the source (open while it is rendered: the plans' metadata are
 * views of its mapping), the options, and one result per file type, smallest output first.
 *
 * @param file         the source file, open
 * @param summary      the source's summary (file type, sizes, parameters)
 * @param options      the options as typed, in llama-quantize's spelling ({@code --pure}, {@code --tensor-type attn_v=q8_0},
 *                     {@code --assume-imatrix}); empty for the defaults
 * @param imatrix      the importance matrix: none, assumed, or read from a file
 * @param results      one per file type asked for; kept sorted by output size (runs llama-quantize refuses: by
 *                     their size with an importance matrix when one makes them possible, else last), ties in id order
 * @param single       exactly one file type was asked for: the detailed form (summary and tensor table)
 * @param tensors      which tensors the detailed form lists, and in which order; null to leave the list out
 */
public record SimulateReport(GgufFile file, ModelSummary summary, List<String> options, ImatrixMode imatrix,
                             List<SimulateResult> results, boolean single, TensorListing tensors) {

    public SimulateReport {
        options = List.copyOf(options);
        results = results.stream()
                .sorted(Comparator.comparingLong(SimulateResult::sortBytes).thenComparingInt(r -> r.ftype().id()))
                .toList();
    }

    /** The source's quantized tensor types, most bytes first: non-empty means every conversion is a requantization. */
    public List<GgmlType> quantizedSourceTypes() {
        return summary.types().stream().map(ModelSummary.TypeRow::type).filter(GgmlType::quantized).toList();
    }

    /** Which tensors the per-tensor table shows and how they are ordered. */
    public enum TensorOrder {
        /** As the output file stores them (llama-quantize's order). */
        OUTPUT,
        /** By name. */
        NAME,
        /** Largest output first. */
        SIZE,
        /** Most bytes saved first. */
        SAVING,
        /** By target type name, then name. */
        TYPE;

        /** The tensors in this order (a stable sort: ties keep the output order). */
        public List<PlannedTensor> apply(List<PlannedTensor> tensors) {
            // Built on use, not as constants: a comparator costs start-up time even when unused.
            Comparator<PlannedTensor> order = switch (this) {
                case OUTPUT -> null;
                case NAME -> Comparator.comparing(PlannedTensor::name);
                case SIZE -> Comparator.comparingLong(PlannedTensor::targetBytes).reversed();
                case SAVING -> Comparator.comparingLong((PlannedTensor t) -> t.sourceBytes() - t.targetBytes()).reversed();
                case TYPE -> Comparator.comparing((PlannedTensor t) -> t.targetType().name()).thenComparing(PlannedTensor::name);
            };
            return order == null ? tensors : tensors.stream().sorted(order).toList();
        }
    }

    /**
     * The per-tensor listing of the detailed form.
     *
     * @param filter tensors whose name contains a match, or null for all
     * @param order  the order of the text and markdown tables (JSON keeps the output order)
     */
    public record TensorListing(Pattern filter, TensorOrder order) {
        /** The tensors to list, filtered and ordered. */
        public List<PlannedTensor> select(List<PlannedTensor> all) {
            List<PlannedTensor> kept = filter == null ? all : all.stream().filter(t -> filter.matcher(t.name()).find()).toList();
            return order.apply(kept);
        }
    }
}
