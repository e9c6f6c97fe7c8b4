package dev.gguflens.report;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.sim.Sampling;
import dev.gguflens.sim.TensorError;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
 * @param errors       with {@code --error} (or {@code --sample}): how the errors were measured; null for sizes only
 */
public record SimulateReport(GgufFile file, ModelSummary summary, List<String> options, ImatrixMode imatrix,
                             List<SimulateResult> results, boolean single, TensorListing tensors, ErrorOptions errors) {

    /** A report of sizes only. */
    public SimulateReport(GgufFile file, ModelSummary summary, List<String> options, ImatrixMode imatrix,
                          List<SimulateResult> results, boolean single, TensorListing tensors) {
        this(file, summary, options, imatrix, results, single, tensors, null);
    }

    /**
     * How {@code --error} measured and what it shows.
     *
     * @param sampling the sample of blocks ({@code --sample}), or null when every block was measured
     * @param byLayer  show the per-layer summary in text and markdown ({@code --by-layer}; JSON always has it)
     * @param compareImatrix each file type is also measured without the importance matrix ({@code --compare-imatrix})
     */
    public record ErrorOptions(Sampling sampling, boolean byLayer, boolean compareImatrix) {
    }

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
        TYPE,
        /** Largest relative RMSE first (needs {@code --error}); kept tensors, with none, last. */
        ERROR;

        /** The tensors in this order (a stable sort: ties keep the output order); {@code errors} by name for {@link #ERROR}. */
        public List<PlannedTensor> apply(List<PlannedTensor> tensors, Map<String, TensorError> errors) {
            // Built on use, not as constants: a comparator costs start-up time even when unused.
            Comparator<PlannedTensor> order = switch (this) {
                case OUTPUT -> null;
                case NAME -> Comparator.comparing(PlannedTensor::name);
                case SIZE -> Comparator.comparingLong(PlannedTensor::targetBytes).reversed();
                case SAVING -> Comparator.comparingLong((PlannedTensor t) -> t.sourceBytes() - t.targetBytes()).reversed();
                case TYPE -> Comparator.comparing((PlannedTensor t) -> t.targetType().name()).thenComparing(PlannedTensor::name);
                // NaN (a sample that missed the tensor) sorts after every number, as unknown.
                case ERROR -> Comparator.comparingDouble((PlannedTensor t) -> relativeRmse(errors, t)).reversed();
            };
            return order == null ? tensors : tensors.stream().sorted(order).toList();
        }

        private static double relativeRmse(Map<String, TensorError> errors, PlannedTensor t) {
            TensorError e = errors.get(t.name());
            double v = e == null ? 0 : e.error().relativeRmse();
            return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
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
        public List<PlannedTensor> select(List<PlannedTensor> all, Map<String, TensorError> errors) {
            List<PlannedTensor> kept = filter == null ? all : all.stream().filter(t -> filter.matcher(t.name()).find()).toList();
            return order.apply(kept, errors);
        }
    }
}
