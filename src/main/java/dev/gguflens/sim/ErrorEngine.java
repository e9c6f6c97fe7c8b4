package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.PieceSums;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>A tensor llama-quantize could not write ends the run with {@link TensorAbortException} (ggml's
 * IQ3_S abort, or encoded blocks that fail {@code ggml_validate_row_data}); with a sample, only the
 * sampled blocks are checked. A tensor gguflens cannot decode or encode (a block type in a big-endian
 * file, a target type without a quantizer) ends it with {@link UnsupportedOperationException}.
 */
public final class ErrorEngine {
    /** Values per piece a worker handles at once in a full run: small enough to stay in the core's cache. */
    private static final int PIECE = 16 * 1024;
    /** The longest span of a chunk when sampling (sampled chunks cover 1/fraction as many values). */
    private static final long MAX_SAMPLED_CHUNK_SPAN = 1L << 28;
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
     * Measures the error of every tensor of {@code plan}, made from {@code file}.
     *
     * @throws TensorAbortException    where llama-quantize would not get through a tensor
     * @throws CancelledException      when {@code cancel} is set during the run
     * @throws IllegalArgumentException when the plan failed or does not belong to the file
     */
    public static SimulationResult simulate(GgufFile file, Plan plan, SimulationSettings settings, ProgressListener listener,
                                            Cancellation cancel) {
        if (!plan.ok()) {
            throw new IllegalArgumentException("the plan failed: " + plan.message());
        }
        Sampling sampling = settings.sampling();
        boolean streamed = file.stream().isPresent();
        List<Work> work = prepare(file, plan, settings, sampling, streamed);
        // The pipeline's order: the plan's, or for a stream the file's (work indices by data offset).
        List<Integer> order = new ArrayList<>(work.size());
        for (int i = 0; i < work.size(); i++) {
            order.add(i);
        }
        if (streamed) {
            order.sort(java.util.Comparator.comparingLong(i -> work.get(i).source.offset()));
        }
        List<RowPipeline.Job> jobs = new ArrayList<>(work.size());
        long bytesTotal = 0;
        for (int i : order) {
            jobs.add(work.get(i).job);
            bytesTotal += Math.max(0, work.get(i).source.bytes());
        }

        ProgressTracker progress = new ProgressTracker(listener, work.size(), bytesTotal);
        List<TensorError> results = new ArrayList<>(work.size());
        Pool model = new Pool(sampling);
        Map<TensorRole, Pool> roles = new EnumMap<>(TensorRole.class);
        Map<Integer, Pool> layers = new TreeMap<>();
        // Sums of tensors done out of plan order (only when streaming), pooled once those before them are.
        ChunkSums[] waiting = new ChunkSums[work.size()];
        int nextInPlan = 0;
        try (RowPipeline pipeline = new RowPipeline(settings.pipeline(), cancel);
             TensorStream stream = streamed ? new TensorStream(file.stream().get()) : null) {
            // One set of buffers per pool thread for the whole run (the threads end with the pipeline).
            ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
            RowPipeline.Results<ChunkSums> chunks = pipeline.run(jobs,
                    c -> stream == null ? null : work.get(order.get(c.job())).load(file, stream, c),
                    (c, loaded) -> work.get(order.get(c.job())).measure(c, loaded, scratch.get()));
            for (int i : order) {
                Work w = work.get(i);
                ChunkSums acc = w.newSums();
                for (long k = 0, n = w.job.chunks(); k < n; k++) {
                    RowPipeline.Done<ChunkSums> done = chunks.next();
                    acc.add(done.value());
                    progress.chunkDone(w.name(), w.sourceBytes(done.chunk().elements()));
                }
                cancel.check();
                waiting[i] = acc;
                for (; nextInPlan < work.size() && waiting[nextInPlan] != null; nextInPlan++) {
                    Work next = work.get(nextInPlan);
                    ChunkSums sums = waiting[nextInPlan];
                    waiting[nextInPlan] = null;
                    TensorError te = next.result(sums);
                    results.add(te);
                    model.add(sums, te);
                    roles.computeIfAbsent(te.role(), r -> new Pool(sampling)).add(sums, te);
                    if (te.layer() >= 0) {
                        layers.computeIfAbsent(te.layer(), l -> new Pool(sampling)).add(sums, te);
                    }
                }
                progress.tensorDone(w.name());
            }
        }
        Map<TensorRole, ErrorStats> byRole = new EnumMap<>(TensorRole.class);
        roles.forEach((r, pool) -> byRole.put(r, pool.stats()));
        TreeMap<Integer, ErrorStats> byLayer = new TreeMap<>();
        layers.forEach((l, pool) -> byLayer.put(l, pool.stats()));
        boolean quantizedSource = results.stream().anyMatch(TensorError::sourceQuantized);
        return new SimulationResult(plan, results, model.stats(), byRole, byLayer, sampling, quantizedSource,
                progress.elapsedNanos());
    }

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
    private static final class Pool {
        /** Full run: the sums; sampled run: the pooled Bernoulli sample, per group. */
        final ErrorSums[] samples;
        /** Sampled run only: the estimated totals per group and over all. */
        final ErrorSums[] groupTotals;
        final ErrorSums totals = new ErrorSums();
        /** Sampled run only: the full sums of the tensors measured in full, for a pool made of nothing else. */
        final ErrorSums inFull = new ErrorSums();
        boolean anySampled;
        long elements;
        long measured;
        double maxAbs;

        /** The run's sample, or null in a full run. */
        final Sampling sampling;

        Pool(Sampling sampling) {
            this.sampling = sampling;
            int groups = sampling == null ? 1 : Sampling.GROUPS;
            this.samples = newGroups(groups);
            this.groupTotals = newGroups(groups);
        }

        void add(ChunkSums tensor, TensorError te) {
            elements += te.error().n();
            measured += te.error().measured();
            if (te.error().maxAbs() > maxAbs) {
                maxAbs = te.error().maxAbs();
            }
            addAll(samples, tensor.groups);
            if (sampling == null) {
                return;
            }
            if (tensor.inFull != null) {
                inFull.add(tensor.inFull);
                totals.addScaled(tensor.inFull, 1);
                for (ErrorSums g : groupTotals) {
                    g.addScaled(tensor.inFull, 1);
                }
                return;
            }
            anySampled = true;
            if (te.error().measured() == 0) {
                return; // nothing to scale up (the minimum unit count makes this all but impossible)
            }
            double share = (double) te.error().measured() / te.error().n();
            for (int g = 0; g < groupTotals.length; g++) {
                totals.addScaled(tensor.groups[g], 1 / share);
                groupTotals[g].addScaled(tensor.groups[g], groupTotals.length / share);
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

    /**
     * What one chunk (or one tensor, added up) measured: {@code groups} holds the sums of a full run (one
     * group) or the sample's random groups; {@code inFull} the sums over every value of a tensor measured
     * in full during a sampled run (null otherwise).
     */
    private record ChunkSums(ErrorSums[] groups, ErrorSums inFull) {
        void add(ChunkSums o) {
            addAll(groups, o.groups);
            if (inFull != null) {
                inFull.add(o.inFull);
            }
        }
    }

    private static List<Work> prepare(GgufFile file, Plan plan, SimulationSettings settings, Sampling sampling, boolean streamed) {
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : file.tensors()) {
            byName.put(t.name(), t);
        }
        List<Work> work = new ArrayList<>(plan.tensors().size());
        for (PlannedTensor p : plan.tensors()) {
            TensorInfo t = byName.get(p.name());
            if (t == null || !t.type().equals(p.sourceType())) {
                throw new IllegalArgumentException("the plan's tensor '" + p.name() + "' is not in " + file.path() + " as planned");
            }
            work.add(Work.of(file, t, p, plan.options().imatrix(), settings.pipeline(), sampling, streamed));
        }
        return work;
    }

    private static ErrorSums[] newGroups(int n) {
        ErrorSums[] g = new ErrorSums[n];
        for (int i = 0; i < n; i++) {
            g[i] = new ErrorSums();
        }
        return g;
    }

    private static void addAll(ErrorSums[] into, ErrorSums[] from) {
        for (int g = 0; g < into.length; g++) {
            into[g].add(from[g]);
        }
    }

    /** The statistics of sums over {@code n} values: in a full run the one group is the total. */
    private static ErrorStats stats(ErrorSums[] acc, long n, Sampling sampling) {
        if (sampling == null) {
            return ErrorStats.of(acc[0], n, null, 1.0);
        }
        ErrorSums total = new ErrorSums();
        for (ErrorSums g : acc) {
            total.add(g);
        }
        return ErrorStats.of(total, n, acc, sampling.fraction());
    }

    /** What one worker needs to measure one tensor's chunks. */
    private static final class Work {
        final TensorInfo source;
        final PlannedTensor planned;
        final RowPipeline.Job job;
        /** Null for a kept tensor gguflens cannot decode, and for a file read as a stream (each chunk brings its own). */
        final SourceRows rows;
        /** Whether the source is decoded (false: a kept tensor gguflens cannot decode). */
        final boolean decoded;
        /** Null for a kept tensor. */
        final BlockCodec target;
        /** Null for a kept tensor. */
        final TensorQuantizer quantizer;
        final Sampling sampling;
        final long key;
        /** Values per sampling unit, or per piece in a full run. */
        final int unit;
        /** Sampled run only: every value is measured (see {@link #MIN_SAMPLED_UNITS}). */
        final boolean inFull;

        private Work(TensorInfo source, PlannedTensor planned, RowPipeline.Job job, SourceRows rows, boolean decoded,
                     TensorQuantizer quantizer, Sampling sampling, int unit, boolean inFull) {
            this.source = source;
            this.planned = planned;
            this.job = job;
            this.rows = rows;
            this.decoded = decoded;
            this.quantizer = quantizer;
            this.target = quantizer == null ? null : quantizer.codec();
            this.sampling = sampling;
            this.key = sampling == null ? 0 : sampling.tensorKey(source.name());
            this.unit = unit;
            this.inFull = inFull;
        }

        static Work of(GgufFile file, TensorInfo t, PlannedTensor p, ImatrixMode imatrix, PipelineSettings pipeline, Sampling sampling,
                       boolean streamed) {
            boolean kept = p.copied();
            TensorQuantizer quantizer = kept ? null : TensorQuantizer.of(t, p, imatrix);
            // Weighted encoders need whole rows (the legacy types derive a term from the row), so then every unit is rows.
            boolean wholeRows = quantizer != null && quantizer.weighted();
            boolean decoded = !kept || SourceRows.decodable(file, t);
            SourceRows rows = null;
            if (decoded && streamed) {
                SourceRows.check(file, t);
            } else if (decoded) {
                rows = SourceRows.of(file, t);
            }
            int sourceBlock = Math.max(1, t.type().blockSize());
            int targetBlock = kept ? sourceBlock : p.targetType().blockSize();
            long rowLength = t.rowLength();
            long span = pipeline.chunkElements();
            int unit;
            boolean inFull = false;
            if (sampling != null) {
                unit = wholeRows ? Math.toIntExact(rowLength) : Sampling.unitSize(rowLength, sourceBlock, targetBlock);
                inFull = (double) (t.elements() / unit) * sampling.fraction() < MIN_SAMPLED_UNITS;
                if (!inFull) {
                    span = Math.min(MAX_SAMPLED_CHUNK_SPAN, (long) Math.ceil(span / sampling.fraction()));
                }
            } else {
                int lcm = wholeRows ? Math.toIntExact(rowLength) : Sampling.unitSize(rowLength, sourceBlock, targetBlock);
                unit = Math.max(1, PIECE / lcm) * lcm;
            }
            return new Work(t, p, new RowPipeline.Job(rowLength, t.rows(), span), rows, decoded, quantizer, sampling, unit, inFull);
        }

        ChunkSums newSums() {
            return new ChunkSums(newGroups(sampling == null ? 1 : Sampling.GROUPS), inFull ? new ErrorSums() : null);
        }

        String name() {
            return source.name();
        }

        long sourceBytes(long elements) {
            GgmlType type = source.type();
            return type.hasKnownSize() ? (long) elements / type.blockSize() * type.typeSize() : 0;
        }

        /**
         * Runs on the pipeline's caller, in file order, for a file read as a stream: the chunk's source bytes (in a
         * sampled run, unless the tensor is measured in full, only its sampled units', one after the other), or
         * null for a tensor that is not decoded.
         */
        SourceRows load(GgufFile file, TensorStream stream, RowPipeline.Chunk c) {
            if (!decoded) {
                return null;
            }
            long start = file.dataOffset() + source.offset();
            if (sampling == null || inFull) {
                byte[] bytes = new byte[Math.toIntExact(sourceBytes(c.elements()))];
                stream.read(start + sourceBytes(c.firstElement()), bytes, 0, bytes.length, name());
                return SourceRows.ofChunk(file, source, MemorySegment.ofArray(bytes), c.firstElement());
            }
            long firstUnit = c.firstElement() / unit;
            int units = c.elements() / unit;
            int taken = 0;
            for (int u = 0; u < units; u++) {
                taken += sampling.groupOf(key, firstUnit + u) >= 0 ? 1 : 0;
            }
            int unitBytes = Math.toIntExact(sourceBytes(unit));
            byte[] bytes = new byte[taken * unitBytes];
            int at = 0;
            for (int u = 0; u < units; u++) {
                if (sampling.groupOf(key, firstUnit + u) >= 0) {
                    stream.read(start + sourceBytes(c.firstElement() + (long) u * unit), bytes, at, unitBytes, name());
                    at += unitBytes;
                }
            }
            // The k-th sampled unit is at element k x unit of this buffer; measure() counts them the same way.
            return SourceRows.ofChunk(file, source, MemorySegment.ofArray(bytes), 0);
        }

        /**
         * Runs on a pool thread: the sums of one chunk, one per random group (one in a full run). {@code loaded} is
         * the chunk's data from {@link #load} for a file read as a stream, else null (the mapping has it).
         */
        ChunkSums measure(RowPipeline.Chunk c, SourceRows loaded, Scratch s) {
            ChunkSums sums = newSums();
            SourceRows from = loaded != null ? loaded : rows;
            if (sampling == null) {
                for (int off = 0; off < c.elements(); off += unit) {
                    int count = Math.min(unit, c.elements() - off);
                    long first = c.firstElement() + off;
                    roundTrip(from, first, first, count, s);
                    add(sums.groups[0], count, s);
                }
                return sums;
            }
            long firstUnit = c.firstElement() / unit;
            int k = 0;
            for (int u = 0; u < c.elements() / unit; u++) {
                int g = sampling.groupOf(key, firstUnit + u);
                if (g < 0 && !inFull) {
                    continue;
                }
                long first = c.firstElement() + (long) u * unit;
                // A streamed chunk of a sampled tensor holds its sampled units only, one after the other.
                long at = loaded != null && !inFull ? (long) k++ * unit : first;
                roundTrip(from, at, first, unit, s);
                if (g >= 0) {
                    add(sums.groups[g], unit, s);
                }
                if (inFull) {
                    add(sums.inFull, unit, s);
                }
            }
            return sums;
        }

        /** Adds the round trip left in {@code s} by {@link #roundTrip} to {@code sums}. */
        private void add(ErrorSums sums, int count, Scratch s) {
            if (!decoded) {
                sums.addUnknownSignal(count);
            } else {
                sums.add(s.x, target == null ? s.x : s.y, 0, count, s.piece);
            }
        }

        /**
         * Decodes the {@code count} values of elements {@code first..}, found at element {@code at} of
         * {@code rows}, into {@code s.x} and, for a converted tensor, their round trip through the target
         * type into {@code s.y}.
         */
        private void roundTrip(SourceRows rows, long at, long first, int count, Scratch s) {
            if (!decoded) {
                return;
            }
            float[] x = s.x(count);
            s.bytes = rows.decode(at, count, x, 0, s.bytes);
            if (target == null) {
                return;
            }
            byte[] q = s.q(target.encodedBytes(count));
            try {
                quantizer.quantize(x, 0, q, 0, first, count);
            } catch (CodecAbortException e) {
                throw Aborts.codecAbort(source, target, x, 0, first, count, e);
            }
            long bad = target.firstInvalidBlock(q, 0, count / planned.targetType().blockSize());
            if (bad >= 0) {
                throw Aborts.validationFailed(source, planned.targetType(), first + bad * planned.targetType().blockSize());
            }
            target.dequantize(q, 0, s.y(count), 0, count);
        }

        TensorError result(ChunkSums acc) {
            GgmlType st = source.type();
            ErrorStats error;
            if (sampling == null) {
                error = planned.copied() ? ErrorStats.unchanged(acc.groups[0], source.elements(), false)
                        : ErrorStats.of(acc.groups[0], source.elements(), null, 1.0);
            } else if (inFull) {
                error = planned.copied() ? ErrorStats.unchanged(acc.inFull, source.elements(), true)
                        : ErrorStats.measuredInFull(acc.inFull, source.elements());
            } else {
                error = stats(acc.groups, source.elements(), sampling);
            }
            return new TensorError(source.name(), TensorRole.of(source.name()), TensorRole.layerOf(source.name()), st,
                    planned.targetType(), planned.copied(), st.quantized(), decoded, error);
        }
    }

    /** A pool thread's buffers, reused from chunk to chunk so a run allocates little besides its results. */
    private static final class Scratch {
        float[] x = new float[0];
        float[] y = new float[0];
        byte[] q = new byte[0];
        byte[] bytes;
        final PieceSums piece = new PieceSums();

        float[] x(int n) {
            if (x.length < n) {
                x = new float[n];
            }
            return x;
        }

        float[] y(int n) {
            if (y.length < n) {
                y = new float[n];
            }
            return y;
        }

        byte[] q(int n) {
            if (q.length < n) {
                q = new byte[n];
            }
            return q;
        }
    }
}
