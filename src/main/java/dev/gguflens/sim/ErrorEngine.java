package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.Codecs;
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
 * into one double. Here each chunk of rows sums its own values in element order, starting from zero,
 * and the chunk sums are then added in chunk order: the same non-negative terms, parenthesized
 * differently. Each way has a relative rounding error of at most {@code (terms added in sequence) x
 * 2^-53} (1.1e-9 for 10^7 terms) and typically about √terms x 2^-53, so the two agree to far better than
 * 1e-9 in practice: on the oracle, all 11,004 tensors with chunks of 4,096 values, and the very same
 * doubles when a tensor is one chunk (OracleErrorsTest). The maximum is exact in any order. Chunking
 * depends only on {@link PipelineSettings#chunkElements()}, never on the thread count, so results are
 * the same on every machine.
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
        int groups = sampling == null ? 1 : Sampling.GROUPS;
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
        Pool model = new Pool(groups);
        Map<TensorRole, Pool> roles = new EnumMap<>(TensorRole.class);
        Map<Integer, Pool> layers = new TreeMap<>();
        // Sums of tensors done out of plan order (only when streaming), pooled once those before them are.
        ErrorSums[][] waiting = new ErrorSums[work.size()][];
        int nextInPlan = 0;
        try (RowPipeline pipeline = new RowPipeline(settings.pipeline(), cancel);
             TensorStream stream = streamed ? new TensorStream(file.stream().get()) : null) {
            // One set of buffers per pool thread for the whole run (the threads end with the pipeline).
            ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
            RowPipeline.Results<ErrorSums[]> chunks = pipeline.run(jobs,
                    c -> stream == null ? null : work.get(order.get(c.job())).load(file, stream, c),
                    (c, loaded) -> work.get(order.get(c.job())).measure(c, loaded, scratch.get()));
            for (int i : order) {
                Work w = work.get(i);
                ErrorSums[] acc = newGroups(groups);
                for (long k = 0, n = w.job.chunks(); k < n; k++) {
                    RowPipeline.Done<ErrorSums[]> done = chunks.next();
                    addAll(acc, done.value());
                    progress.chunkDone(w.name(), w.sourceBytes(done.chunk().elements()));
                }
                cancel.check();
                waiting[i] = acc;
                for (; nextInPlan < work.size() && waiting[nextInPlan] != null; nextInPlan++) {
                    Work next = work.get(nextInPlan);
                    ErrorSums[] sums = waiting[nextInPlan];
                    waiting[nextInPlan] = null;
                    TensorError te = next.result(sums, sampling);
                    results.add(te);
                    model.add(sums, te.error().n());
                    roles.computeIfAbsent(te.role(), r -> new Pool(groups)).add(sums, te.error().n());
                    if (te.layer() >= 0) {
                        layers.computeIfAbsent(te.layer(), l -> new Pool(groups)).add(sums, te.error().n());
                    }
                }
                progress.tensorDone(w.name());
            }
        }
        Map<TensorRole, ErrorStats> byRole = new EnumMap<>(TensorRole.class);
        roles.forEach((r, pool) -> byRole.put(r, pool.stats(sampling)));
        TreeMap<Integer, ErrorStats> byLayer = new TreeMap<>();
        layers.forEach((l, pool) -> byLayer.put(l, pool.stats(sampling)));
        boolean quantizedSource = results.stream().anyMatch(TensorError::sourceQuantized);
        return new SimulationResult(plan, results, model.stats(sampling), byRole, byLayer, sampling, quantizedSource,
                progress.elapsedNanos());
    }

    /** The sums of several tensors pooled (the model, a role, a layer), group by group, in tensor order. */
    private static final class Pool {
        final ErrorSums[] groups;
        long elements;

        Pool(int groups) {
            this.groups = newGroups(groups);
        }

        void add(ErrorSums[] tensor, long n) {
            addAll(groups, tensor);
            elements += n;
        }

        ErrorStats stats(Sampling sampling) {
            return ErrorEngine.stats(groups, elements, sampling);
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
            work.add(Work.of(file, t, p, settings.pipeline(), sampling, streamed));
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
        final Sampling sampling;
        final long key;
        /** Values per sampling unit, or per piece in a full run. */
        final int unit;

        private Work(TensorInfo source, PlannedTensor planned, RowPipeline.Job job, SourceRows rows, boolean decoded,
                     BlockCodec target, Sampling sampling, int unit) {
            this.source = source;
            this.planned = planned;
            this.job = job;
            this.rows = rows;
            this.decoded = decoded;
            this.target = target;
            this.sampling = sampling;
            this.key = sampling == null ? 0 : sampling.tensorKey(source.name());
            this.unit = unit;
        }

        static Work of(GgufFile file, TensorInfo t, PlannedTensor p, PipelineSettings pipeline, Sampling sampling, boolean streamed) {
            boolean kept = p.copied();
            BlockCodec target = null;
            if (!kept) {
                target = Codecs.forType(p.targetType()).filter(BlockCodec::canQuantize).orElseThrow(() ->
                        new UnsupportedOperationException("tensor '" + p.name() + "': gguflens cannot quantize to " + p.targetType() + " yet"));
            }
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
            if (sampling != null) {
                unit = Sampling.unitSize(rowLength, sourceBlock, targetBlock);
                span = Math.min(MAX_SAMPLED_CHUNK_SPAN, (long) Math.ceil(span / sampling.fraction()));
            } else {
                int lcm = Sampling.unitSize(rowLength, sourceBlock, targetBlock);
                unit = Math.max(1, PIECE / lcm) * lcm;
            }
            return new Work(t, p, new RowPipeline.Job(rowLength, t.rows(), span), rows, decoded, target, sampling, unit);
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
         * sampled run only its sampled units', one after the other), or null for a tensor that is not decoded.
         */
        SourceRows load(GgufFile file, TensorStream stream, RowPipeline.Chunk c) {
            if (!decoded) {
                return null;
            }
            long start = file.dataOffset() + source.offset();
            if (sampling == null) {
                byte[] bytes = new byte[Math.toIntExact(sourceBytes(c.elements()))];
                stream.read(start + sourceBytes(c.firstElement()), bytes, 0, bytes.length, name());
                return SourceRows.ofChunk(file, source, java.lang.foreign.MemorySegment.ofArray(bytes), c.firstElement());
            }
            long firstUnit = c.firstElement() / unit;
            int units = c.elements() / unit;
            int kept = 0;
            for (int u = 0; u < units; u++) {
                kept += sampling.groupOf(key, firstUnit + u) >= 0 ? 1 : 0;
            }
            int unitBytes = Math.toIntExact(sourceBytes(unit));
            byte[] bytes = new byte[kept * unitBytes];
            int at = 0;
            for (int u = 0; u < units; u++) {
                if (sampling.groupOf(key, firstUnit + u) >= 0) {
                    stream.read(start + sourceBytes(c.firstElement() + (long) u * unit), bytes, at, unitBytes, name());
                    at += unitBytes;
                }
            }
            // The k-th sampled unit is at element k x unit of this buffer; measure() counts them the same way.
            return SourceRows.ofChunk(file, source, java.lang.foreign.MemorySegment.ofArray(bytes), 0);
        }

        /**
         * Runs on a pool thread: the sums of one chunk, one per random group (one in a full run). {@code loaded} is
         * the chunk's data from {@link #load} for a file read as a stream, else null (the mapping has it).
         */
        ErrorSums[] measure(RowPipeline.Chunk c, SourceRows loaded, Scratch s) {
            ErrorSums[] sums = newGroups(sampling == null ? 1 : Sampling.GROUPS);
            SourceRows from = loaded != null ? loaded : rows;
            if (sampling == null) {
                for (int off = 0; off < c.elements(); off += unit) {
                    long first = c.firstElement() + off;
                    measure(from, first, first, Math.min(unit, c.elements() - off), sums[0], s);
                }
                return sums;
            }
            long firstUnit = c.firstElement() / unit;
            int k = 0;
            for (int u = 0; u < c.elements() / unit; u++) {
                int g = sampling.groupOf(key, firstUnit + u);
                if (g >= 0) {
                    // A streamed chunk holds its sampled units only, one after the other.
                    long first = c.firstElement() + (long) u * unit;
                    measure(from, loaded != null ? (long) k++ * unit : first, first, unit, sums[g], s);
                }
            }
            return sums;
        }

        /** Measures {@code count} values from element {@code first}, found at element {@code at} of {@code rows}. */
        private void measure(SourceRows rows, long at, long first, int count, ErrorSums sums, Scratch s) {
            if (rows == null) {
                sums.addUnknownSignal(count);
                return;
            }
            float[] x = s.x(count);
            s.bytes = rows.decode(at, count, x, 0, s.bytes);
            if (target == null) {
                sums.add(x, x, 0, count, s.bins);
                return;
            }
            byte[] q = s.q(target.encodedBytes(count));
            try {
                target.quantize(x, 0, q, 0, count);
            } catch (CodecAbortException e) {
                throw Aborts.codecAbort(source, target, x, 0, first, count, e);
            }
            long bad = target.firstInvalidBlock(q, 0, count / planned.targetType().blockSize());
            if (bad >= 0) {
                throw Aborts.validationFailed(source, planned.targetType(), first + bad * planned.targetType().blockSize());
            }
            float[] y = s.y(count);
            target.dequantize(q, 0, y, 0, count);
            sums.add(x, y, 0, count, s.bins);
        }

        TensorError result(ErrorSums[] acc, Sampling sampling) {
            GgmlType st = source.type();
            boolean quantizedSource = st.quantized();
            ErrorStats error;
            if (planned.copied()) {
                ErrorSums total = new ErrorSums();
                for (ErrorSums g : acc) {
                    total.add(g);
                }
                error = ErrorStats.unchanged(total, source.elements(), sampling != null);
            } else {
                error = stats(acc, source.elements(), sampling);
            }
            return new TensorError(source.name(), TensorRole.of(source.name()), TensorRole.layerOf(source.name()), st,
                    planned.targetType(), planned.copied(), quantizedSource, rows != null, error);
        }
    }

    /** A pool thread's buffers, reused from chunk to chunk so a run allocates little besides its results. */
    private static final class Scratch {
        float[] x = new float[0];
        float[] y = new float[0];
        byte[] q = new byte[0];
        byte[] bytes;
        final int[] bins = new int[ErrorHistogram.BINS];

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
