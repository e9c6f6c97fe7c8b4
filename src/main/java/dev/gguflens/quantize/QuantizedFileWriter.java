package dev.gguflens.quantize;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.sim.Aborts;
import dev.gguflens.sim.Cancellation;
import dev.gguflens.sim.CancelledException;
import dev.gguflens.sim.PipelineSettings;
import dev.gguflens.sim.ProgressListener;
import dev.gguflens.sim.ProgressTracker;
import dev.gguflens.sim.RowPipeline;
import dev.gguflens.sim.SourceRows;
import dev.gguflens.sim.TensorAbortException;
import dev.gguflens.sim.TensorQuantizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the file a plan describes, byte for byte what llama-quantize writes (llama-quantize-rules.md
 * §3 step 8 and §8): the planned metadata and tensor infos, then each tensor in output order, copied
 * unchanged when its type stays, else decoded to f32 and quantized to its target type chunk by chunk
 * (with the importance weights the plan gives it, in whole rows: {@link TensorQuantizer}),
 * every chunk checked as {@code ggml_validate_row_data} checks it. Everything is padded to 32 bytes.
 *
 * <p>The file appears only when complete: it is written to a temporary file in the output's folder and
 * renamed at the end; on any failure or cancellation the temporary file is deleted, and an existing file
 * at the output path is left as it was.
 */
public final class QuantizedFileWriter {
    /** Bytes copied per write when a tensor is copied unchanged (a mapped tensor may exceed a ByteBuffer). */
    private static final long COPY_SLICE = 16L << 20;

    private QuantizedFileWriter() {
    }

    /** What was written. */
    public record Summary(Path output, long fileBytes, int tensors, int quantized, int copied, long elapsedNanos) {
    }

    /**
     * Writes {@code plan}'s output, made from {@code source}, to {@code out}, replacing a file there.
     *
     * @throws TensorAbortException         where llama-quantize would not get through a tensor (nothing is written)
     * @throws CancelledException           when {@code cancel} is set (nothing is written)
     * @throws UnsupportedOperationException when gguflens cannot decode a source tensor or encode a target type
     * @throws IllegalArgumentException     when the plan failed, or {@code out} is the source file itself
     * @throws IOException                  when the output cannot be written
     */
    public static Summary write(GgufFile source, Plan plan, Path out, PipelineSettings settings, ProgressListener listener,
                                Cancellation cancel) throws IOException {
        if (!plan.ok()) {
            throw new IllegalArgumentException("the plan failed: " + plan.message());
        }
        for (GgufFile f : source.parts().isEmpty() ? List.of(source) : source.parts()) {
            if (f.path() != null && Files.exists(out) && Files.isSameFile(out, f.path())) {
                throw new IllegalArgumentException(out + " is the input file; files are never modified in place");
            }
        }
        if (source.byteOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("the input is a big-endian GGUF file, which llama-quantize cannot read; "
                    + "gguflens writes only what llama-quantize would");
        }
        List<Part> parts = prepare(source, plan, settings);
        List<GgufWriter.TensorSpec> specs = new ArrayList<>(parts.size());
        List<RowPipeline.Job> jobs = new ArrayList<>(parts.size());
        long bytesTotal = 0;
        int quantized = 0;
        for (Part p : parts) {
            specs.add(new GgufWriter.TensorSpec(p.planned.name(), p.planned.shape(), p.planned.targetType()));
            jobs.add(p.job);
            bytesTotal += p.source.bytes();
            quantized += p.quantizer == null ? 0 : 1;
        }
        // llama-quantize pads to 32 bytes whatever general.alignment says (rules §8.4), as the plan does.
        GgufWriter.Layout layout = GgufWriter.layout(plan.metadata(), specs, 32, ByteOrder.LITTLE_ENDIAN);
        checkLayout(plan, layout);

        ProgressTracker progress = new ProgressTracker(listener, parts.size(), bytesTotal);
        try (RowPipeline pipeline = new RowPipeline(settings, cancel)) {
            ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[0]);
            ThreadLocal<SourceRows.Buffers> buffers = ThreadLocal.withInitial(SourceRows.Buffers::new);
            RowPipeline.Results<byte[]> chunks = pipeline.run(jobs, c -> parts.get(c.job()).encode(c, scratch, buffers.get()));
            int[] next = {0};
            GgufWriter.write(out, layout, (t, ch) -> {
                cancel.check();
                Part p = parts.get(next[0]++);
                if (!p.planned.name().equals(t.name())) {
                    throw new IllegalStateException("writer asked for '" + t.name() + "', expected '" + p.planned.name() + "'");
                }
                if (p.quantizer == null) {
                    copy(source.tensorData(p.source), ch);
                    progress.chunkDone(t.name(), p.source.bytes());
                } else {
                    for (long i = 0, n = p.job.chunks(); i < n; i++) {
                        RowPipeline.Done<byte[]> done = chunks.next();
                        writeFully(ch, ByteBuffer.wrap(done.value()));
                        progress.chunkDone(t.name(), p.sourceBytes(done.chunk().elements()));
                    }
                }
                progress.tensorDone(t.name());
            });
        }
        return new Summary(out, layout.fileSize(), parts.size(), quantized, parts.size() - quantized, progress.elapsedNanos());
    }

    private static List<Part> prepare(GgufFile source, Plan plan, PipelineSettings settings) {
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : source.tensors()) {
            byName.put(t.name(), t);
        }
        List<Part> parts = new ArrayList<>(plan.tensors().size());
        for (PlannedTensor p : plan.tensors()) {
            TensorInfo t = byName.get(p.name());
            if (t == null || !t.type().equals(p.sourceType())) {
                throw new IllegalArgumentException("the plan's tensor '" + p.name() + "' is not in " + source.path() + " as planned");
            }
            if (p.copied()) {
                parts.add(new Part(t, p, null, null, new RowPipeline.Job(t.rowLength(), 0, 1)));
                continue;
            }
            TensorQuantizer quantizer = TensorQuantizer.of(t, p, plan.options().imatrix());
            parts.add(new Part(t, p, SourceRows.of(source, t), quantizer,
                    new RowPipeline.Job(t.rowLength(), t.rows(), settings.chunkElements())));
        }
        return parts;
    }

    /** The writer's layout must be the plan's, to the byte: both come from the same arithmetic. */
    private static void checkLayout(Plan plan, GgufWriter.Layout layout) {
        if (layout.fileSize() != plan.fileBytes() || layout.dataOffset() != plan.dataOffset()) {
            throw new IllegalStateException("layout of " + layout.fileSize() + " bytes (data at " + layout.dataOffset()
                    + ") differs from the plan's " + plan.fileBytes() + " (data at " + plan.dataOffset() + ")");
        }
        for (int i = 0; i < layout.tensors().size(); i++) {
            TensorInfo t = layout.tensors().get(i);
            PlannedTensor p = plan.tensors().get(i);
            if (t.offset() != p.offset() || t.bytes() != p.targetBytes()) {
                throw new IllegalStateException("tensor '" + p.name() + "': layout and plan disagree on its place or size");
            }
        }
    }

    private static void copy(MemorySegment data, WritableByteChannel ch) throws IOException {
        for (long off = 0; off < data.byteSize(); off += COPY_SLICE) {
            writeFully(ch, data.asSlice(off, Math.min(COPY_SLICE, data.byteSize() - off)).asByteBuffer());
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** One output tensor: copied ({@code codec} null) or quantized chunk by chunk. */
    private record Part(TensorInfo source, PlannedTensor planned, SourceRows rows, TensorQuantizer quantizer, RowPipeline.Job job) {

        /** Null for a tensor copied unchanged. */
        BlockCodec codec() {
            return quantizer == null ? null : quantizer.codec();
        }

        long sourceBytes(int elements) {
            GgmlType type = source.type();
            return (long) elements / type.blockSize() * type.typeSize();
        }

        /** Runs on a pool thread: one chunk's encoded bytes, checked as llama-quantize checks each chunk. */
        byte[] encode(RowPipeline.Chunk c, ThreadLocal<float[]> scratch, SourceRows.Buffers buffers) {
            float[] x = scratch.get();
            if (x.length < c.elements()) {
                x = new float[c.elements()];
                scratch.set(x);
            }
            rows.decode(c.firstElement(), c.elements(), x, 0, buffers);
            GgmlType type = planned.targetType();
            BlockCodec codec = codec();
            byte[] out = new byte[codec.encodedBytes(c.elements())];
            try {
                // Chunks are whole rows, as weighted encoding needs.
                quantizer.quantize(x, 0, out, 0, c.firstElement(), c.elements());
            } catch (CodecAbortException e) {
                throw Aborts.codecAbort(source, codec, x, 0, c.firstElement(), c.elements(), e);
            }
            long bad = codec.firstInvalidBlock(out, 0, c.elements() / type.blockSize());
            if (bad >= 0) {
                throw Aborts.validationFailed(source, type, c.firstElement() + bad * type.blockSize());
            }
            return out;
        }
    }
}
