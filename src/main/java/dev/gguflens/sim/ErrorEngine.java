package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.PieceSums;
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
        List<Work> work = prepare(file, plan, settings, sampling);
        List<RowPipeline.Job> jobs = new ArrayList<>(work.size());
        long bytesTotal = 0;
        for (Work w : work) {
            jobs.add(w.job);
            bytesTotal += w.source.bytes();
        }

        ProgressTracker progress = new ProgressTracker(listener, work.size(), bytesTotal);
        List<TensorError> results = new ArrayList<>(work.size());
        Pool model = new Pool(groups);
        Map<TensorRole, Pool> roles = new EnumMap<>(TensorRole.class);
        Map<Integer, Pool> layers = new TreeMap<>();
        try (RowPipeline pipeline = new RowPipeline(settings.pipeline(), cancel)) {
            // One set of buffers per pool thread for the whole run (the threads end with the pipeline).
            ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
            RowPipeline.Results<ErrorSums[]> chunks = pipeline.run(jobs, c -> work.get(c.job()).measure(c, scratch.get()));
            for (Work w : work) {
                ErrorSums[] acc = newGroups(groups);
                for (long i = 0, n = w.job.chunks(); i < n; i++) {
                    RowPipeline.Done<ErrorSums[]> done = chunks.next();
                    addAll(acc, done.value());
                    progress.chunkDone(w.name(), w.sourceBytes(done.chunk().elements()));
                }
                cancel.check();
                TensorError te = w.result(acc, sampling);
                results.add(te);
                model.add(acc, te.error().n());
                roles.computeIfAbsent(te.role(), r -> new Pool(groups)).add(acc, te.error().n());
                if (te.layer() >= 0) {
                    layers.computeIfAbsent(te.layer(), l -> new Pool(groups)).add(acc, te.error().n());
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

    private static List<Work> prepare(GgufFile file, Plan plan, SimulationSettings settings, Sampling sampling) {
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
            work.add(Work.of(file, t, p, settings.pipeline(), sampling));
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
        /** Null for a kept tensor gguflens cannot decode. */
        final SourceRows rows;
        /** Null for a kept tensor. */
        final BlockCodec target;
        final Sampling sampling;
        final long key;
        /** Values per sampling unit, or per piece in a full run. */
        final int unit;

        private Work(TensorInfo source, PlannedTensor planned, RowPipeline.Job job, SourceRows rows, BlockCodec target,
                     Sampling sampling, int unit) {
            this.source = source;
            this.planned = planned;
            this.job = job;
            this.rows = rows;
            this.target = target;
            this.sampling = sampling;
            this.key = sampling == null ? 0 : sampling.tensorKey(source.name());
            this.unit = unit;
        }

        static Work of(GgufFile file, TensorInfo t, PlannedTensor p, PipelineSettings pipeline, Sampling sampling) {
            boolean kept = p.copied();
            BlockCodec target = null;
            if (!kept) {
                target = Codecs.forType(p.targetType()).filter(BlockCodec::canQuantize).orElseThrow(() ->
                        new UnsupportedOperationException("tensor '" + p.name() + "': gguflens cannot quantize to " + p.targetType() + " yet"));
            }
            SourceRows rows = kept && !SourceRows.decodable(file, t) ? null : SourceRows.of(file, t);
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
            return new Work(t, p, new RowPipeline.Job(rowLength, t.rows(), span), rows, target, sampling, unit);
        }

        String name() {
            return source.name();
        }

        long sourceBytes(int elements) {
            GgmlType type = source.type();
            return type.hasKnownSize() ? (long) elements / type.blockSize() * type.typeSize() : 0;
        }

        /** Runs on a pool thread: the sums of one chunk, one per random group (one in a full run). */
        ErrorSums[] measure(RowPipeline.Chunk c, Scratch s) {
            ErrorSums[] sums = newGroups(sampling == null ? 1 : Sampling.GROUPS);
            if (sampling == null) {
                for (int off = 0; off < c.elements(); off += unit) {
                    measure(c.firstElement() + off, Math.min(unit, c.elements() - off), sums[0], s);
                }
                return sums;
            }
            long firstUnit = c.firstElement() / unit;
            for (int u = 0; u < c.elements() / unit; u++) {
                int g = sampling.groupOf(key, firstUnit + u);
                if (g >= 0) {
                    measure(c.firstElement() + (long) u * unit, unit, sums[g], s);
                }
            }
            return sums;
        }

        private void measure(long first, int count, ErrorSums sums, Scratch s) {
            if (rows == null) {
                sums.addUnknownSignal(count);
                return;
            }
            float[] x = s.x(count);
            s.bytes = rows.decode(first, count, x, 0, s.bytes);
            if (target == null) {
                sums.add(x, x, 0, count, s.piece);
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
            sums.add(x, y, 0, count, s.piece);
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
