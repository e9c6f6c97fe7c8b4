package dev.gguflens.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code gguflens simulate A.gguf B.gguf ... --error}: every (model, file type) option of several sources in
 * one list, smallest output first, with the options on the size/error frontier marked.
 *
 * @param reports one report per source, in the order given, each with its measured results
 */
public record SimulateComparison(List<SimulateReport> reports) {

    public SimulateComparison {
        reports = List.copyOf(reports);
    }

    /**
     * One option: a source and a file type.
     *
     * @param source   the report of its source
     * @param result   the file type's result
     * @param frontier measured, and no other measured option is at most as large and at most as wrong with one
     *                 of the two strictly less (Pareto optimal in output bytes and model relative RMSE)
     */
    public record Option(SimulateReport source, SimulateResult result, boolean frontier) {
        /** Whether this option has a size and a measured error. */
        public boolean measured() {
            return result.ok() && result.error() != null && !Double.isNaN(error());
        }

        /** The model's relative RMSE (the point estimate when sampled). */
        public double error() {
            return result.error().model().relativeRmse();
        }

        public long bytes() {
            return result.plan().fileBytes();
        }
    }

    /** Every option, smallest output first (ties: smaller error, then the order given); unmeasured ones last. */
    public List<Option> options() {
        List<Option> all = new ArrayList<>();
        for (SimulateReport r : reports) {
            for (SimulateResult s : r.results()) {
                all.add(new Option(r, s, false));
            }
        }
        List<Option> measured = all.stream().filter(Option::measured)
                .sorted(Comparator.comparingLong(Option::bytes).thenComparingDouble(Option::error)).toList();
        List<Option> out = new ArrayList<>();
        for (Option o : measured) {
            out.add(new Option(o.source(), o.result(), !dominated(o, measured)));
        }
        all.stream().filter(o -> !o.measured()).forEach(out::add);
        return out;
    }

    /** Whether some other option is no larger and no worse, and strictly better in one of the two. */
    private static boolean dominated(Option o, List<Option> measured) {
        for (Option p : measured) {
            if (p != o && p.bytes() <= o.bytes() && p.error() <= o.error() && (p.bytes() < o.bytes() || p.error() < o.error())) {
                return true;
            }
        }
        return false;
    }
}
