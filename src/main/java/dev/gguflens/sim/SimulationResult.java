package dev.gguflens.sim;

import dev.gguflens.plan.Plan;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The measured error of one planned output: per tensor, for the whole model, per role and per layer.
 * Aggregates pool the values of their tensors (weighted by elements): the model's RMSE is √(ΣΣd²/Σn)
 * and its relative RMSE √(ΣΣd²/ΣΣx²), kept tensors included with zero error and their real size.
 *
 * @param plan            the plan that was measured
 * @param tensors         one entry per output tensor, in output order
 * @param model           all tensors together
 * @param byRole          per role, in {@link TensorRole} order, roles without tensors left out
 * @param byLayer         per layer number ({@code blk.N.} tensors only)
 * @param sampling        the sample used, or null when every block was measured
 * @param sourceQuantized some tensor's source is quantized: its errors are against decoded values
 * @param elapsedNanos    how long the measurement took
 */
public record SimulationResult(Plan plan, List<TensorError> tensors, ErrorStats model, Map<TensorRole, ErrorStats> byRole,
                               SortedMap<Integer, ErrorStats> byLayer, Sampling sampling, boolean sourceQuantized,
                               long elapsedNanos) {

    public SimulationResult {
        tensors = List.copyOf(tensors);
        Map<TensorRole, ErrorStats> roles = new EnumMap<>(TensorRole.class);
        roles.putAll(byRole);
        byRole = Collections.unmodifiableMap(roles);
        byLayer = Collections.unmodifiableSortedMap(new TreeMap<>(byLayer));
    }

    /** The tensor with the largest relative RMSE (the first such), or null when there are no tensors. */
    public TensorError worstTensor() {
        TensorError worst = null;
        for (TensorError t : tensors) {
            if (worst == null || t.error().relativeRmse() > worst.error().relativeRmse()) {
                worst = t;
            }
        }
        return worst;
    }
}
