package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The error engine: for every tensor of a plan, decodes the source rows, quantizes them to the planned
 * type exactly as llama-quantize does, decodes the result, and measures the difference
 * ({@link ErrorStats}). Tensors the plan copies have zero error. Runs on the {@link RowPipeline}, so heap
 * use does not grow with the model.
 *
 * <p><b>Order of the sums.</b> The reference (expected-errors.tsv) sums d² over a tensor in element order
 * into one double. Here a tensor is cut into chunks of whole rows ({@link PipelineSettings#chunkElements()})
 * and each chunk into pieces of at most 16,384 values ({@code PIECE}, whole blocks of the source and
 * target types). Each piece is summed by the {@link dev.gguflens.quant.ErrorKernel} in its documented
 * order (8 lanes, each in element order from zero, folded in a fixed tree); a chunk adds its pieces'
 * sums in order, starting from zero, and a tensor adds its chunks' sums in chunk order. These are the
 * same non-negative terms as the reference's, parenthesized differently. Each way has a relative
 * rounding error of at most {@code (terms added in sequence) x 2^-53} (1.1e-9 for 10^7 terms) and
 * typically about √terms x 2^-53, so the two agree to far better than 1e-9 in practice: on the oracle,
 * all 11,004 tensors with chunks of 4,096 values (OracleErrorsTest, which also checks the order itself
 * to the double). The maximum is exact in any order. Chunks and pieces depend only on the tensor's
 * shape and types and on {@link PipelineSettings#chunkElements()}, never on the thread count or the
 * vector width, so results are the same on every machine.
 *
 * <p><b>With an importance matrix</b> ({@code --imatrix}), a tensor quantized with weights is encoded in
 * whole rows ({@link TensorQuantizer}): its pieces are as many whole rows as fit in 16,384 values (one row
 * if longer), and with a sample its units are single rows instead of about 256 values.
 *
 * <p><b>Files read as a stream</b> (a GGUF file in an archive, {@link GgufFile#stream()}): the tensors go
 * through the pipeline in file order instead of plan order, their chunks read one after the other by the
 * pipeline's caller ({@link RowPipeline.Loader}) and handed to the workers, so no more than the pipeline's
 * window of chunks is in memory and nothing is written to disk. With a sample, a chunk keeps only the
 * bytes of its sampled units. The chunks, the units and the order of every sum are those of a mapped
 * run, and the tensors' sums are pooled in plan order at the end: the figures are the same, to the bit.
 *
 * <p><b>Several plans at once</b> ({@link #simulateAll}: the file types of {@code simulate --to A,B,C},
 * {@code --all}, {@code --compare-imatrix} and {@code fit}): each tensor is read and decoded once, and
 * encoded once per distinct target type and weights among the plans ({@link TensorJob}); each plan pools
 * the sums of its own encodings, in its tensor order, so its figures are those of a run of its own, to the
 * bit. A file read as a stream is read once per plan instead (a stream is read front to back once per run), and
 * a run holds no more plans than their pools' memory allows ({@link #plansPerRun}).
 *
 * <p>A tensor llama-quantize could not write fails its plan with {@link TensorAbortException} (ggml's
 * IQ3_S abort, or encoded blocks that fail {@code ggml_validate_row_data}); with a sample, only the
 * sampled blocks are checked. A tensor gguflens cannot decode or encode (a block type in a big-endian
 * file, a target type without a quantizer) fails it with {@link UnsupportedOperationException}. The
 * other plans of the run go on.
 */
public final class ErrorEngine {
    /**
     * When sampling, a tensor whose sample would hold fewer units than this on average is measured in
     * full: it is small, so this costs little, and a handful of units (or none) would make its estimate,
     * and through it the model's, little better than a guess. Kept tensors follow the same rule: their error is
     * exactly zero in every unit, and their values' estimated total enters the pools as any tensor's does, so a
     * file type that copies most of the model (F16 from F16) costs a sample, not a full read.
     */
    static final int MIN_SAMPLED_UNITS = 64;

    private ErrorEngine() {
    }

    /**
     * What measuring one plan of a run gave: its result, or why llama-quantize (or gguflens) cannot make it.
     *
     * @param result  the measured error, or null on failure
     * @param failure a {@link TensorAbortException} or {@link UnsupportedOperationException}, or null
     */
    public record Outcome(SimulationResult result, RuntimeException failure) {
        public Outcome {
            if ((result == null) == (failure == null)) {
                throw new IllegalArgumentException("an outcome is a result or a failure");
            }
        }

        /** The result; throws the failure instead when there is one. */
        public SimulationResult get() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /**
     * Measures the error of every tensor of {@code plan}, made from {@code file}.
     *
     * @throws TensorAbortException    where llama-quantize would not get through a tensor
     * @throws UnsupportedOperationException where gguflens cannot decode or encode a tensor
     * @throws CancelledException      when {@code cancel} is set during the run
     * @throws IllegalArgumentException when the plan failed or does not belong to the file
     */
    public static SimulationResult simulate(GgufFile file, Plan plan, SimulationSettings settings, ProgressListener listener,
                                            Cancellation cancel) {
        return simulateAll(file, List.of(plan), settings, listener, cancel).getFirst().get();
    }

    /**
     * Measures several plans of {@code file} in one run, one {@link Outcome} per plan, in order. The progress counts
     * the run's tensors once (each tensor for all plans together).
     *
     * @throws CancelledException       when {@code cancel} is set during the run
     * @throws IllegalArgumentException when a plan failed, does not belong to the file, or lists other tensors than the
     *                                  first plan
     */
    public static List<Outcome> simulateAll(GgufFile file, List<Plan> plans, SimulationSettings settings, ProgressListener listener,
                                            Cancellation cancel) {
        for (Plan plan : plans) {
            if (!plan.ok()) {
                throw new IllegalArgumentException("the plan failed: " + plan.message());
            }
        }
        if (plans.isEmpty()) {
            return List.of();
        }
        boolean streamed = file.stream().isPresent();
        Sampling sampling = settings.sampling();
        boolean full = settings.detail() == SimulationSettings.Detail.FULL;
        // A stream is read front to back once per run, so each plan gets a run of its own there.
        int perRun = streamed ? 1
                : full ? plansPerRun(layers(file), sampling != null, plans.size(), Math.min(Runtime.getRuntime().maxMemory() / 8, POOLS_BUDGET))
                : plans.size(); // (without histograms a plan's pool is a few dozen doubles)
        if (plans.size() > perRun) {
            List<Outcome> out = new ArrayList<>(plans.size());
            for (int from = 0; from < plans.size(); from += perRun) {
                out.addAll(simulateAll(file, plans.subList(from, Math.min(plans.size(), from + perRun)), settings, listener, cancel));
            }
            return out;
        }
        RuntimeException[] failed = new RuntimeException[plans.size()];
        List<TensorSlots> tensors = prepare(file, plans, settings.pipeline(), sampling, full, streamed, failed);
        PlanRun[] runs = new PlanRun[plans.size()];
        for (int k = 0; k < runs.length; k++) {
            runs[k] = failed[k] == null ? new PlanRun(sampling, full) : null;
        }

        // The jobs in the pipeline's order: the plan's, or for a stream the file's (by data offset).
        List<TensorJob> jobs = new ArrayList<>();
        List<Integer> tensorOf = new ArrayList<>();
        List<Integer> indexInTensor = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            List<TensorJob> own = tensors.get(t).jobs();
            for (int j = 0; j < own.size(); j++) {
                jobs.add(own.get(j));
                tensorOf.add(t);
                indexInTensor.add(j);
            }
        }
        List<Integer> order = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            order.add(i);
        }
        if (streamed) {
            order.sort(Comparator.comparingLong(i -> jobs.get(i).source.offset()));
        }
        List<RowPipeline.Job> pipelineJobs = new ArrayList<>(jobs.size());
        long bytesTotal = 0;
        for (int i : order) {
            pipelineJobs.add(jobs.get(i).job);
            bytesTotal += Math.max(0, jobs.get(i).source.bytes());
        }

        ProgressTracker progress = new ProgressTracker(listener, tensors.size(), bytesTotal);
        Pooling pooling = new Pooling(tensors, runs, failed, progress);
        try (RowPipeline pipeline = new RowPipeline(settings.pipeline(), cancel);
             TensorStream stream = streamed ? new TensorStream(file.stream().get()) : null) {
            // One set of buffers per pool thread for the whole run (the threads end with the pipeline).
            ThreadLocal<TensorJob.Scratch> scratch = ThreadLocal.withInitial(TensorJob.Scratch::new);
            RowPipeline.Results<TensorJob.Sums> chunks = pipeline.run(pipelineJobs,
                    streamed ? List.of() : leadIn(order.stream().map(i -> jobs.get(i).targetTypes()).toList()),
                    c -> stream == null ? null : jobs.get(order.get(c.job())).load(file, stream, c),
                    (c, loaded) -> jobs.get(order.get(c.job())).measure(c, loaded, scratch.get()));
            // Per pipeline job, its chunks' sums so far (added in chunk order) and how many chunks are still to come.
            TensorJob.Sums[] sums = new TensorJob.Sums[order.size()];
            long[] chunksLeft = new long[order.size()];
            for (int p = 0; p < order.size(); p++) {
                int i = order.get(p);
                chunksLeft[p] = jobs.get(i).job.chunks();
                if (chunksLeft[p] == 0) {
                    pooling.jobDone(tensorOf.get(i), indexInTensor.get(i), jobs.get(i).newSums(), jobs.get(i).name());
                }
            }
            while (chunks.hasNext() && !Arrays.stream(runs).allMatch(r -> r == null)) { // (all failed: nothing left to measure)
                RowPipeline.Done<TensorJob.Sums> d = chunks.next();
                int p = d.chunk().job();
                int i = order.get(p);
                TensorJob w = jobs.get(i);
                if (sums[p] == null) {
                    // The first chunk's sums become the job's: the same bits as adding them to zeros (a sum of
                    // +0.0 and x is x; no sum here is ever -0.0), without copying a histogram per variant and group.
                    sums[p] = d.value();
                } else {
                    sums[p].add(d.value());
                }
                progress.chunkDone(w.name(), w.sourceBytes(d.chunk().elements()));
                if (--chunksLeft[p] == 0) {
                    cancel.check();
                    pooling.jobDone(tensorOf.get(i), indexInTensor.get(i), sums[p], w.name());
                    sums[p] = null;
                }
            }
        }
        List<Outcome> out = new ArrayList<>(plans.size());
        for (int k = 0; k < plans.size(); k++) {
            out.add(failed[k] != null ? new Outcome(null, failed[k])
                    : new Outcome(runs[k].result(plans.get(k), sampling, progress.elapsedNanos()), null));
        }
        return out;
    }

    /**
     * The jobs whose first chunks the pipeline deals out together before all others
     * ({@link RowPipeline#run(List, List, RowPipeline.Loader, RowPipeline.LoadedWorker)}), given each job's target
     * types in pipeline order: the first job of each target type, so that every codec of the run starts its JIT
     * warm-up in the first second instead of when the tensors before its first one are done (Q4_K_M's Q4_K after its
     * 131 MB output tensor's Q6_K on a 1 GB model). Results do not depend on the order: each tensor adds its chunks in
     * chunk order and the plans pool tensors in plan order.
     */
    static List<Integer> leadIn(List<Set<GgmlType>> targetsPerJob) {
        List<Integer> lead = new ArrayList<>();
        Set<GgmlType> seen = new HashSet<>();
        for (int p = 0; p < targetsPerJob.size(); p++) {
            boolean fresh = false;
            for (GgmlType t : targetsPerJob.get(p)) {
                fresh |= seen.add(t);
            }
            if (fresh) {
                lead.add(p);
            }
        }
        return lead;
    }

    /**
     * Hands finished jobs to the plans: a tensor is pooled once all its jobs are done and every tensor before it in
     * plan order is pooled, whatever order the jobs finish in.
     */
    private static final class Pooling {
        private final List<TensorSlots> tensors;
        private final PlanRun[] runs;
        private final RuntimeException[] failed;
        private final ProgressTracker progress;
        /** Per tensor, its jobs' sums once done; and how many of its jobs are still running. */
        private final TensorJob.Sums[][] done;
        private final int[] remaining;
        private int nextInPlan;

        Pooling(List<TensorSlots> tensors, PlanRun[] runs, RuntimeException[] failed, ProgressTracker progress) {
            this.tensors = tensors;
            this.runs = runs;
            this.failed = failed;
            this.progress = progress;
            this.done = new TensorJob.Sums[tensors.size()][];
            this.remaining = new int[tensors.size()];
            for (int t = 0; t < tensors.size(); t++) {
                done[t] = new TensorJob.Sums[tensors.get(t).jobs().size()];
                remaining[t] = done[t].length;
            }
            poolReady();
        }

        void jobDone(int tensor, int indexInTensor, TensorJob.Sums sums, String name) {
            done[tensor][indexInTensor] = sums;
            if (--remaining[tensor] == 0) {
                poolReady();
                progress.tensorDone(name);
            }
        }

        private void poolReady() {
            for (; nextInPlan < tensors.size() && remaining[nextInPlan] == 0; nextInPlan++) {
                pool(tensors.get(nextInPlan), done[nextInPlan], runs, failed);
                done[nextInPlan] = null;
            }
        }
    }

    /**
     * The memory the plans of one run may keep in their pools. Not more than a few tens of MB, whatever the heap:
     * with all 36 file types of a 7-layer model in one run, the serial collector's pauses took 2.9 s of a 10 s
     * {@code fit --error --sample 0.01}; in two runs of 18 plans, 2.0 s.
     */
    private static final long POOLS_BUDGET = 64L << 20;
    /** The histograms a pool may hold at its widest: about 2,000 bins of 8 bytes (|d| over 30 octaves). */
    private static final long HISTOGRAM_BYTES = 2048 * 8;

    /**
     * How many plans one run may measure together: each plan pools its tensors per layer, per role and for the
     * model, each pool with a histogram per random group, for the whole run. Measured one run at a time, a plan's
     * pools are freed before the next; together they all live at once, so their estimated size must stay within
     * {@code heapBudget} (at least one plan per run, as before).
     */
    static int plansPerRun(int layers, boolean sampled, int plans, long heapBudget) {
        long pools = 1 + TensorRole.values().length + (long) layers;
        long histograms = sampled ? Sampling.GROUPS + 1 : 1;
        long perPlan = pools * histograms * HISTOGRAM_BYTES;
        return (int) Math.max(1, Math.min(plans, heapBudget / perPlan));
    }

    private static int layers(GgufFile file) {
        return (int) file.tensors().stream().mapToInt(t -> TensorRole.layerOf(t.name())).filter(l -> l >= 0).distinct().count();
    }

    /**
     * One tensor of the run: its jobs, and for each plan the job and variant that measure it for that plan (-1 for
     * a plan that failed before this tensor).
     */
    private record TensorSlots(TensorInfo source, List<TensorJob> jobs, int[] job, int[] variant) {
    }

    /** One plan's results and pools, filled tensor by tensor in plan order. */
    private static final class PlanRun {
        final List<TensorError> results = new ArrayList<>();
        final ErrorPool model;
        final Map<TensorRole, ErrorPool> roles = new EnumMap<>(TensorRole.class);
        final Map<Integer, ErrorPool> layers = new TreeMap<>();
        final Sampling sampling;
        /** Whether the run pools per role and per layer too ({@link SimulationSettings.Detail#FULL}). */
        final boolean breakdown;

        PlanRun(Sampling sampling, boolean breakdown) {
            this.sampling = sampling;
            this.breakdown = breakdown;
            this.model = new ErrorPool(sampling);
        }

        void add(ChunkSums sums, TensorError te) {
            results.add(te);
            model.add(sums, te);
            if (!breakdown) {
                return;
            }
            roles.computeIfAbsent(te.role(), r -> new ErrorPool(sampling)).add(sums, te);
            if (te.layer() >= 0) {
                layers.computeIfAbsent(te.layer(), l -> new ErrorPool(sampling)).add(sums, te);
            }
        }

        SimulationResult result(Plan plan, Sampling sampling, long elapsedNanos) {
            Map<TensorRole, ErrorStats> byRole = new EnumMap<>(TensorRole.class);
            roles.forEach((r, pool) -> byRole.put(r, pool.stats()));
            TreeMap<Integer, ErrorStats> byLayer = new TreeMap<>();
            layers.forEach((l, pool) -> byLayer.put(l, pool.stats()));
            boolean quantizedSource = results.stream().anyMatch(TensorError::sourceQuantized);
            return new SimulationResult(plan, results, model.stats(), byRole, byLayer, sampling, quantizedSource, elapsedNanos);
        }
    }

    /** Adds a finished tensor to every plan still running: its variant's sums, or the plan's failure. */
    private static void pool(TensorSlots tensor, TensorJob.Sums[] sums, PlanRun[] runs, RuntimeException[] failed) {
        // Plans sharing a variant share its statistics too.
        TensorError[][] made = new TensorError[sums.length][];
        for (int k = 0; k < runs.length; k++) {
            if (runs[k] == null) {
                continue;
            }
            int j = tensor.job()[k];
            int v = tensor.variant()[k];
            RuntimeException failure = sums[j].failures()[v];
            if (failure != null) {
                failed[k] = failure;
                runs[k] = null;
                continue;
            }
            if (made[j] == null) {
                made[j] = new TensorError[sums[j].variants().length];
            }
            ChunkSums own = sums[j].variants()[v];
            if (made[j][v] == null) {
                made[j][v] = tensor.jobs().get(j).result(own, v);
            }
            runs[k].add(own, made[j][v]);
        }
    }

    /**
     * The run's tensors in plan order, each with the jobs and variants its plans need. A plan that gguflens cannot
     * measure gets its failure in {@code failed} and no slots from then on.
     */
    private static List<TensorSlots> prepare(GgufFile file, List<Plan> plans, PipelineSettings pipeline, Sampling sampling,
                                             boolean percentiles, boolean streamed, RuntimeException[] failed) {
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : file.tensors()) {
            byName.put(t.name(), t);
        }
        List<PlannedTensor> first = plans.getFirst().tensors();
        for (Plan plan : plans) {
            if (plan.tensors().size() != first.size()) {
                throw new IllegalArgumentException("plans measured together must list the same tensors");
            }
        }
        List<TensorSlots> tensors = new ArrayList<>(first.size());
        for (int i = 0; i < first.size(); i++) {
            String name = first.get(i).name();
            TensorInfo t = byName.get(name);
            int[] job = new int[plans.size()];
            int[] variant = new int[plans.size()];
            Arrays.fill(job, -1);
            Arrays.fill(variant, -1);
            List<TensorJob> jobs = new ArrayList<>();
            for (int k = 0; k < plans.size(); k++) {
                PlannedTensor p = plans.get(k).tensors().get(i);
                if (t == null || !p.name().equals(name) || !t.type().equals(p.sourceType())) {
                    throw new IllegalArgumentException("the plan's tensor '" + p.name() + "' is not in " + file.path() + " as planned");
                }
                if (failed[k] != null) {
                    continue;
                }
                TensorJob.Variant v;
                try {
                    v = TensorJob.Variant.of(file, t, p, plans.get(k).options().imatrix());
                } catch (UnsupportedOperationException e) {
                    failed[k] = e;
                    continue;
                }
                TensorJob.Layout layout = TensorJob.Layout.of(t, v, pipeline, sampling);
                int j = 0;
                while (j < jobs.size() && !jobs.get(j).layout.equals(layout)) {
                    j++;
                }
                if (j == jobs.size()) {
                    jobs.add(new TensorJob(file, t, layout, sampling, percentiles, streamed));
                }
                job[k] = j;
                variant[k] = jobs.get(j).slot(v);
            }
            tensors.add(spread(new TensorSlots(t, jobs, job, variant), file, sampling, percentiles, streamed, pipeline.threads()));
        }
        return tensors;
    }

    /**
     * The tensor with each job of several variants dealt out over up to {@code threads} jobs of the same layout
     * (variant i of a job to new job {@code i mod k}). A job is one worker's task per chunk, and with a sample a chunk
     * can be a whole tensor: encoding it for a dozen file types on one thread would leave the others idle at the end
     * of the run. Each new job decodes its units again (cheap beside encoding them); a variant's sums do not depend on
     * the job it is in.
     */
    private static TensorSlots spread(TensorSlots tensor, GgufFile file, Sampling sampling, boolean percentiles, boolean streamed,
                                      int threads) {
        List<TensorJob> jobs = new ArrayList<>();
        int[] firstOf = new int[tensor.jobs().size()];
        int[] ways = new int[tensor.jobs().size()];
        for (int j = 0; j < tensor.jobs().size(); j++) {
            TensorJob old = tensor.jobs().get(j);
            List<TensorJob.Variant> variants = old.variants();
            firstOf[j] = jobs.size();
            ways[j] = Math.max(1, Math.min(variants.size(), threads));
            if (ways[j] == 1) {
                jobs.add(old);
                continue;
            }
            for (int w = 0; w < ways[j]; w++) {
                jobs.add(new TensorJob(file, tensor.source(), old.layout, sampling, percentiles, streamed));
            }
            for (int v = 0; v < variants.size(); v++) {
                jobs.get(firstOf[j] + v % ways[j]).slot(variants.get(v));
            }
        }
        int[] job = tensor.job().clone();
        int[] variant = tensor.variant().clone();
        for (int k = 0; k < job.length; k++) {
            if (job[k] >= 0) {
                int j = job[k];
                job[k] = firstOf[j] + variant[k] % ways[j];
                variant[k] = variant[k] / ways[j];
            }
        }
        return new TensorSlots(tensor.source(), jobs, job, variant);
    }
}
