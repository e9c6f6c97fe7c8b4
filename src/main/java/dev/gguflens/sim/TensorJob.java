package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One tensor's chunks as a job of the {@link RowPipeline}, measured for one or more ways of encoding the
 * tensor ({@link Variant}s). When several plans are measured in one run ({@link ErrorEngine#simulateAll}),
 * the plans that give a tensor the same target type and the same importance weights share one variant, and
 * variants that cut the tensor into the same units ({@link Layout}) share one job: each unit is then found,
 * read and decoded once, and encoded once per distinct variant, however many file types measure it. What a
 * variant measures does not depend on the other variants of its job, so every plan gets the very sums a run
 * of its own would get.
 */
final class TensorJob {
    /** Values per piece a worker handles at once in a full run: small enough to stay in the core's cache. */
    private static final int PIECE = 16 * 1024;
    /**
     * Source bytes a full run reads at once, for several pieces ({@link SourceRows#prefetch}): one positional read
     * per piece was 30,000 system calls on a 1 GB F16 model, about 0.2 s of CPU (bench/README.md); a window still fits
     * the core's cache beside a piece's work.
     */
    private static final int WINDOW_BYTES = 256 * 1024;
    /** The longest span of a chunk when sampling (sampled chunks cover 1/fraction as many values). */
    private static final long MAX_SAMPLED_CHUNK_SPAN = 1L << 28;

    /**
     * One way of encoding a tensor: kept as it is ({@code quantizer} null), or converted by {@code quantizer}.
     *
     * @param planned the tensor as (one of) the plans measuring this variant planned it
     */
    record Variant(PlannedTensor planned, TensorQuantizer quantizer) {
        /**
         * The variant a plan asks for.
         *
         * @throws UnsupportedOperationException when gguflens cannot encode the target type (see
         *                                       {@link TensorQuantizer#of}) or decode the source of a converted tensor
         */
        static Variant of(GgufFile file, TensorInfo t, PlannedTensor p, ImatrixMode imatrix) {
            if (p.copied()) {
                return new Variant(p, null);
            }
            TensorQuantizer quantizer = TensorQuantizer.of(t, p, imatrix);
            if (!SourceRows.decodable(file, t)) {
                SourceRows.check(file, t);
                throw new UnsupportedOperationException("tensor '" + t.name() + "': gguflens cannot decode type " + t.type());
            }
            return new Variant(p, quantizer);
        }

        boolean kept() {
            return quantizer == null;
        }

        /** Whether both encode every value the same way (so they measure the same sums). */
        boolean sameEncoding(Variant o) {
            return kept() ? o.kept() : !o.kept() && quantizer.sameEncoding(o.quantizer);
        }
    }

    /**
     * How a variant cuts the tensor: {@code unit} values per sampling unit (per piece in a full run), whether a
     * sampled run measures it in full, and the values a chunk should span.
     */
    record Layout(int unit, boolean inFull, long span) {
        static Layout of(TensorInfo t, Variant v, PipelineSettings pipeline, Sampling sampling) {
            // Weighted encoders need whole rows (the legacy types derive a term from the row), so then every unit is rows.
            boolean wholeRows = !v.kept() && v.quantizer().weighted();
            int sourceBlock = Math.max(1, t.type().blockSize());
            int targetBlock = v.kept() ? sourceBlock : v.planned().targetType().blockSize();
            long rowLength = t.rowLength();
            long span = pipeline.chunkElements();
            int unit;
            boolean inFull = false;
            if (sampling != null) {
                unit = wholeRows ? Math.toIntExact(rowLength) : Sampling.unitSize(rowLength, sourceBlock, targetBlock);
                inFull = (double) (t.elements() / unit) * sampling.fraction() < ErrorEngine.MIN_SAMPLED_UNITS;
                if (!inFull) {
                    span = Math.min(MAX_SAMPLED_CHUNK_SPAN, (long) Math.ceil(span / sampling.fraction()));
                }
            } else {
                int lcm = wholeRows ? Math.toIntExact(rowLength) : Sampling.unitSize(rowLength, sourceBlock, targetBlock);
                unit = Math.max(1, PIECE / lcm) * lcm;
            }
            return new Layout(unit, inFull, span);
        }
    }

    /**
     * What a chunk (or the whole tensor, added up) measured, per variant. A variant that could not be encoded
     * has its failure (the first in chunk order) and no meaningful sums.
     */
    record Sums(ChunkSums[] variants, RuntimeException[] failures) {
        void add(Sums o) {
            for (int v = 0; v < variants.length; v++) {
                if (failures[v] == null) {
                    failures[v] = o.failures[v];
                }
                variants[v].add(o.variants[v]);
            }
        }
    }

    final TensorInfo source;
    final Layout layout;
    final RowPipeline.Job job;
    /** Null for a tensor gguflens cannot decode, and for a file read as a stream (each chunk brings its own). */
    private final SourceRows rows;
    /** Whether the source is decoded (false: a kept tensor gguflens cannot decode). */
    private final boolean decoded;
    private final Sampling sampling;
    /** Whether the |error| histograms are counted (false: {@link SimulationSettings.Detail#SUMS}, no percentiles). */
    private final boolean percentiles;
    private final long key;
    /** Filled while the run is prepared, read only once it runs. */
    private final List<Variant> variants = new ArrayList<>();

    TensorJob(GgufFile file, TensorInfo source, Layout layout, Sampling sampling, boolean percentiles, boolean streamed) {
        this.source = source;
        this.layout = layout;
        this.job = new RowPipeline.Job(source.rowLength(), source.rows(), layout.span());
        this.decoded = SourceRows.decodable(file, source);
        this.rows = decoded && !streamed ? SourceRows.of(file, source) : null;
        this.sampling = sampling;
        this.percentiles = percentiles;
        this.key = sampling == null ? 0 : sampling.tensorKey(source.name());
    }

    /** The index of the variant that encodes as {@code v} does, added if there is none yet. */
    int slot(Variant v) {
        for (int i = 0; i < variants.size(); i++) {
            if (variants.get(i).sameEncoding(v)) {
                return i;
            }
        }
        variants.add(v);
        return variants.size() - 1;
    }

    /** The variants, in slot order. */
    List<Variant> variants() {
        return List.copyOf(variants);
    }

    /** The types this job encodes to (none when every variant keeps the tensor as it is). */
    Set<GgmlType> targetTypes() {
        Set<GgmlType> types = new LinkedHashSet<>();
        for (Variant v : variants) {
            if (!v.kept()) {
                types.add(v.quantizer().type());
            }
        }
        return types;
    }

    Sums newSums() {
        ChunkSums[] sums = new ChunkSums[variants.size()];
        for (int v = 0; v < sums.length; v++) {
            sums[v] = ChunkSums.empty(sampling, layout.inFull());
        }
        return new Sums(sums, new RuntimeException[variants.size()]);
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
        int unit = layout.unit();
        if (sampling == null || layout.inFull()) {
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
     * Runs on a pool thread: the sums of one chunk per variant, one per random group (one in a full run).
     * {@code loaded} is the chunk's data from {@link #load} for a file read as a stream, else null (the mapping
     * has it).
     */
    Sums measure(RowPipeline.Chunk c, SourceRows loaded, Scratch s) {
        Sums sums = newSums();
        SourceRows from = loaded != null ? loaded : rows;
        int unit = layout.unit();
        if (sampling == null) {
            int window = unit * (int) Math.max(1, WINDOW_BYTES / Math.max(1, sourceBytes(unit)));
            SourceRows read = from;
            for (int off = 0; off < c.elements(); off += unit) {
                int count = Math.min(unit, c.elements() - off);
                long first = c.firstElement() + off;
                if (decoded && off % window == 0) {
                    read = from.prefetch(first, Math.min(window, c.elements() - off), s.source);
                }
                decode(read, first, count, s, 0);
                for (int v = 0; v < variants.size(); v++) {
                    if (roundTrip(v, first, count, s, 0, sums)) {
                        add(sums.variants()[v].groups()[0], v, count, s, 0, s.pending(v));
                    }
                }
            }
            // Each variant's histogram counts, once per chunk: drained piece by piece, the chunk's histogram grew
            // (a new array) whenever a piece reached bins the earlier ones had not, 90 KB of garbage per chunk.
            for (int v = 0; v < variants.size(); v++) {
                settle(sums.variants()[v].groups()[0], s.pending(v));
            }
            return sums;
        }
        // The units to measure, decoded one after the other into s.x: unit k at element k x unit.
        boolean inFull = layout.inFull();
        int units = c.elements() / unit;
        int[] taken = s.units(units);
        int[] groupOf = s.groups(units);
        int n = 0;
        long firstUnit = c.firstElement() / unit;
        for (int u = 0; u < units; u++) {
            int g = sampling.groupOf(key, firstUnit + u);
            if (g >= 0 || inFull) {
                taken[n] = u;
                groupOf[n++] = g;
            }
        }
        s.x(n * unit);
        for (int k = 0; k < n; k++) {
            // A streamed chunk of a sampled tensor holds its sampled units only, one after the other.
            long at = loaded != null && !inFull ? (long) k * unit : c.firstElement() + (long) taken[k] * unit;
            decode(from, at, unit, s, k * unit);
        }
        // Then each variant over all of them: one codec's code and tables at a time, not a dozen taking turns per unit.
        s.y(n * unit);
        for (int v = 0; v < variants.size(); v++) {
            ChunkSums into = sums.variants()[v];
            for (int k = 0; k < n; k++) {
                int off = k * unit;
                if (!roundTrip(v, c.firstElement() + (long) taken[k] * unit, unit, s, off, sums)) {
                    break;
                }
                if (groupOf[k] >= 0) {
                    add(into.groups()[groupOf[k]], v, unit, s, off, s.pending(groupOf[k]));
                }
                if (inFull) {
                    add(into.inFull(), v, unit, s, off, s.pending(Sampling.GROUPS));
                }
            }
            // The units' histogram counts, once per destination (see ErrorSums.addCountingLater).
            for (int g = 0; g < Sampling.GROUPS; g++) {
                settle(into.groups()[g], s.pending(g));
            }
            if (inFull) {
                settle(into.inFull(), s.pending(Sampling.GROUPS));
            }
        }
        return sums;
    }

    /**
     * Adds the {@code count} values of {@code s.x} from {@code off} and their round trip through variant {@code v}
     * (in {@code s.y}, from the same offset) to {@code sums}; their histogram counts wait in {@code pending} until the
     * caller settles them ({@link #settle}).
     */
    private void add(ErrorSums sums, int v, int count, Scratch s, int off, PendingCounts pending) {
        float[] y = variants.get(v).kept() ? s.x : s.y;
        if (!decoded) {
            sums.addUnknownSignal(count, pending);
        } else {
            sums.addCountingLater(s.x, y, off, count, pending);
        }
    }

    /** Adds the histogram counts waiting in {@code pending} to {@code sums}, or forgets them in a run without percentiles. */
    private void settle(ErrorSums sums, PendingCounts pending) {
        if (percentiles) {
            sums.drain(pending);
        } else {
            pending.discard();
        }
    }

    /** Decodes the {@code count} values found at element {@code at} of {@code rows} into {@code s.x} from {@code off}. */
    private void decode(SourceRows rows, long at, int count, Scratch s, int off) {
        if (decoded) {
            rows.decode(at, count, s.x(off + count), off, s.source);
        }
    }

    /**
     * The round trip of the {@code count} values in {@code s.x} from {@code off}, elements {@code first..} of the
     * tensor, through variant {@code v}'s target type into {@code s.y} at the same offset (nothing to do for a kept
     * variant). False, with the failure in {@code sums}, when llama-quantize would not get through these values, or
     * when an earlier unit of the chunk already failed.
     */
    private boolean roundTrip(int v, long first, int count, Scratch s, int off, Sums sums) {
        if (sums.failures()[v] != null) {
            return false;
        }
        Variant variant = variants.get(v);
        if (!decoded || variant.kept()) {
            return true;
        }
        BlockCodec target = variant.quantizer().codec();
        GgmlType type = variant.planned().targetType();
        // The size from the type itself: BlockCodec.encodedBytes is a default method called on a dozen codec classes
        // here, and that call site showed as 5% of a fit's profile.
        byte[] q = s.q(count / type.blockSize() * type.typeSize());
        try {
            variant.quantizer().quantizeAndDecode(s.x, off, q, 0, s.y(off + count), off, first, count);
        } catch (CodecAbortException e) {
            sums.failures()[v] = Aborts.codecAbort(source, target, s.x, off, first, count, e);
            return false;
        }
        // (the decoded values of a block llama-quantize would refuse are never measured)
        long bad = target.firstInvalidBlock(q, 0, count / type.blockSize());
        if (bad >= 0) {
            sums.failures()[v] = Aborts.validationFailed(source, type, first + bad * type.blockSize());
            return false;
        }
        return true;
    }

    /** The tensor's statistics as variant {@code v} measured them ({@code acc}: all its chunks added up). */
    TensorError result(ChunkSums acc, int v) {
        PlannedTensor planned = variants.get(v).planned();
        GgmlType st = source.type();
        ErrorStats error;
        if (sampling == null) {
            error = planned.copied() ? ErrorStats.unchanged(acc.groups()[0], source.elements(), false)
                    : ErrorStats.of(acc.groups()[0], source.elements(), null, 1.0);
        } else if (layout.inFull()) {
            error = planned.copied() ? ErrorStats.unchanged(acc.inFull(), source.elements(), true)
                    : ErrorStats.measuredInFull(acc.inFull(), source.elements());
        } else {
            error = stats(acc.groups(), source.elements(), sampling);
        }
        return new TensorError(source.name(), TensorRole.of(source.name()), TensorRole.layerOf(source.name()), st,
                planned.targetType(), planned.copied(), st.quantized(), decoded, error);
    }

    /** The statistics of a sample's groups over a tensor of {@code n} values. */
    private static ErrorStats stats(ErrorSums[] acc, long n, Sampling sampling) {
        ErrorSums total = new ErrorSums();
        for (ErrorSums g : acc) {
            total.add(g);
        }
        return ErrorStats.of(total, n, acc, sampling.fraction());
    }

    /** A pool thread's buffers, reused from chunk to chunk so a run allocates little besides its results. */
    static final class Scratch {
        float[] x = new float[0];
        float[] y = new float[0];
        byte[] q = new byte[0];
        final SourceRows.Buffers source = new SourceRows.Buffers();
        /**
         * Histogram counts not yet drained, per destination of the chunk being measured: in a full run one per variant,
         * in a sampled run one per random group, then the in-full sums (reused variant after variant).
         */
        private PendingCounts[] pending = new PendingCounts[Sampling.GROUPS + 1];
        private int[] units = new int[0];
        private int[] groups = new int[0];

        PendingCounts pending(int slot) {
            if (slot >= pending.length) {
                pending = Arrays.copyOf(pending, slot + 1);
            }
            if (pending[slot] == null) {
                pending[slot] = new PendingCounts();
            }
            return pending[slot];
        }

        int[] units(int n) {
            return units = units.length >= n ? units : new int[n];
        }

        int[] groups(int n) {
            return groups = groups.length >= n ? groups : new int[n];
        }

        float[] x(int n) {
            return x = x.length >= n ? x : new float[n];
        }

        float[] y(int n) {
            return y = y.length >= n ? y : new float[n];
        }

        byte[] q(int n) {
            return q = q.length >= n ? q : new byte[n];
        }
    }
}
