package dev.gguflens.report;

import dev.gguflens.memory.ContextMemory;
import dev.gguflens.memory.ContextOptions;
import dev.gguflens.memory.ModelDims;
import dev.gguflens.plan.Plan;
import dev.gguflens.sim.Sampling;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code gguflens fit}: every (model, file type) option with what it needs in memory (weights from the plan,
 * the context's cache, output and compute buffers), against a budget; sorted by total, with the best option
 * that fits.
 *
 * @param budget   the memory budget in bytes
 * @param context  the context options every model was sized with
 * @param models   one entry per model, in the order given
 * @param options  every option, smallest total first (options without a total last)
 * @param best     the best option that fits, or null when none does
 * @param measured whether errors were asked for ({@code --error})
 * @param sampling the sample the errors were measured on, or null for every value (or no errors)
 */
public record FitReport(long budget, ContextOptions context, List<Model> models, List<Option> options, Best best, boolean measured,
                        Sampling sampling) {

    public FitReport {
        models = List.copyOf(models);
        options = List.copyOf(options);
    }

    /**
     * One model.
     *
     * @param source the path as given
     * @param dims   its dimensions as llama.cpp reads them
     * @param memory its context's memory besides the weights, or llama.cpp's refusal
     */
    public record Model(String source, ModelDims dims, ContextMemory memory) {
    }

    /**
     * One model at one file type.
     *
     * @param model       index into {@link FitReport#models()}
     * @param result      the planned file type (and its measured error with {@code --error})
     * @param memory      the model's context memory
     * @param budget      the budget, for {@link #fits()} and {@link #margin()}
     */
    public record Option(int model, SimulateResult result, ContextMemory memory, long budget) {

        /** The plan whose tensors are the weights: as given, or with an importance matrix when only that makes it possible. */
        public Plan sizedPlan() {
            if (result.ok()) {
                return result.plan();
            }
            return result.imatrixRequired() ? result.withImatrix() : null;
        }

        /** Whether the option has a total: a plan that can be made, and a context llama.cpp accepts. */
        public boolean sized() {
            return sizedPlan() != null && !memory.refused();
        }

        /** The weights in memory: the tensors' bytes, as llama.cpp maps them from the file. */
        public long weights() {
            return sizedPlan() == null ? 0 : sizedPlan().tensorBytes();
        }

        /** Weights plus the context's memory (0 without a total). */
        public long total() {
            return sized() ? weights() + memory.bytes() : 0;
        }

        /** The budget left over (negative when it does not fit). */
        public long margin() {
            return budget - total();
        }

        /** Sized, within the budget, and needing no importance matrix that was not given. */
        public boolean fits() {
            return sized() && total() <= budget;
        }

        /** Whether it can only be made with an importance matrix, which the run did not have. */
        public boolean needsImatrix() {
            return !result.ok() && result.imatrixRequired();
        }

        /** The model's relative RMSE when measured (NaN otherwise). */
        public double error() {
            return result.error() == null ? Double.NaN : result.error().model().relativeRmse();
        }
    }

    /** How the best option was chosen. */
    public enum Rule {
        /** Among the options that fit, the smallest measured relative RMSE (ties: the smaller total). */
        LOWEST_ERROR,
        /** Among the options that fit, the largest total: the most bits the budget allows. */
        LARGEST_THAT_FITS
    }

    /** The best option that fits and the rule that chose it. */
    public record Best(Option option, Rule rule) {
    }

    /** The report of {@code options} (in any order) against {@code budget}: sorted, with the best one chosen. */
    public static FitReport of(long budget, ContextOptions context, List<Model> models, List<Option> options, boolean measured,
                               Sampling sampling) {
        List<Option> sorted = new ArrayList<>(options);
        sorted.sort(Comparator.comparing((Option o) -> !o.sized()).thenComparingLong(Option::total));
        return new FitReport(budget, context, models, sorted, best(sorted, measured), measured, sampling);
    }

    /** Options that need an importance matrix the run does not have are never chosen: the user may not have one. */
    private static Best best(List<Option> sorted, boolean measured) {
        List<Option> candidates = sorted.stream().filter(o -> o.fits() && !o.needsImatrix()).toList();
        if (candidates.isEmpty()) {
            return null;
        }
        if (measured) {
            Option lowest = candidates.stream().filter(o -> !Double.isNaN(o.error()))
                    .min(Comparator.comparingDouble(Option::error).thenComparingLong(Option::total)).orElse(null);
            if (lowest != null) {
                return new Best(lowest, Rule.LOWEST_ERROR);
            }
        }
        return new Best(candidates.stream().max(Comparator.comparingLong(Option::total)).orElseThrow(), Rule.LARGEST_THAT_FITS);
    }
}
