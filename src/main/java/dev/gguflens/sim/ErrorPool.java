package dev.gguflens.sim;

/**
 * Several tensors pooled (the model, a role, a layer), in tensor order.
 *
 * <p>In a full run the pool adds the tensors' sums. In a sampled run a plain sum of the samples would
 * weigh each tensor by how many of its units the sample happened to take, and a tensor measured in
 * full (a small or kept one) by all of its values: the model's relative RMSE could then be off by far
 * more than its interval says (a few norm tensors, whose values are near 1, hold much of a small
 * model's Σx²). So the pool adds <i>estimated totals</i>: a tensor measured in full adds its sums, a
 * sampled tensor its sample's sums divided by the share of its values sampled (a ratio estimator per
 * tensor, summed over tensors: stratified sampling with the tensors as strata). Random group
 * {@code g} adds the same estimate made from group {@code g} alone ({@code G x} its sums over the
 * same share), so the intervals measure the sampling spread of exactly that estimator. Percentiles
 * come from the pooled Bernoulli sample (every tensor, also one measured in full, contributes the
 * units the sample would take), so each tensor weighs by its size there too.
 */
final class ErrorPool {
    /** Full run: the sums; sampled run: the pooled Bernoulli sample, per group. */
    private final ErrorSums[] samples;
    /** Sampled run only: the estimated totals per group and over all. */
    private final ErrorSums[] groupTotals;
    private final ErrorSums totals = new ErrorSums();
    /** Sampled run only: the full sums of the tensors measured in full, for a pool made of nothing else. */
    private final ErrorSums inFull = new ErrorSums();
    private boolean anySampled;
    private long elements;
    private long measured;
    private double maxAbs;

    /** The run's sample, or null in a full run. */
    private final Sampling sampling;

    ErrorPool(Sampling sampling) {
        this.sampling = sampling;
        int groups = sampling == null ? 1 : Sampling.GROUPS;
        this.samples = ChunkSums.newGroups(groups);
        this.groupTotals = ChunkSums.newGroups(groups);
    }

    /** Adds one tensor: its sums and the statistics made of them. Reads {@code tensor}, never changes it. */
    void add(ChunkSums tensor, TensorError te) {
        elements += te.error().n();
        measured += te.error().measured();
        if (te.error().maxAbs() > maxAbs) {
            maxAbs = te.error().maxAbs();
        }
        ChunkSums.addAll(samples, tensor.groups());
        if (sampling == null) {
            return;
        }
        if (tensor.inFull() != null) {
            inFull.add(tensor.inFull());
            totals.addScaled(tensor.inFull(), 1);
            for (ErrorSums g : groupTotals) {
                g.addScaled(tensor.inFull(), 1);
            }
            return;
        }
        anySampled = true;
        if (te.error().measured() == 0) {
            return; // nothing to scale up (the minimum unit count makes this all but impossible)
        }
        double share = (double) te.error().measured() / te.error().n();
        for (int g = 0; g < groupTotals.length; g++) {
            totals.addScaled(tensor.groups()[g], 1 / share);
            groupTotals[g].addScaled(tensor.groups()[g], groupTotals.length / share);
        }
    }

    ErrorStats stats() {
        if (sampling == null) {
            return ErrorStats.of(samples[0], elements, null, 1.0);
        }
        if (!anySampled) {
            return ErrorStats.measuredInFull(inFull, elements);
        }
        totals.n = elements;
        for (ErrorSums g : groupTotals) {
            g.n = elements;
        }
        return ErrorStats.ofPool(totals, groupTotals, samples, elements, measured, maxAbs, sampling.fraction());
    }
}
