package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.ImportanceUse;

/**
 * Quantizes one tensor's values to its planned type as llama-quantize does (quantizers-imatrix.md §1.5):
 * in any run of whole blocks without importance weights; with them, in whole rows, each row with the
 * weights of its slice (for a 3-D expert tensor, rows {@code e·ne1 .. e·ne1+ne1-1} use the entry's values
 * from {@code e·ne0}, as llama-quantize hands ggml one expert at a time). Shared by the error engine and
 * the file writer, so both encode the very same bytes. Thread-safe.
 */
public final class TensorQuantizer {
    private final BlockCodec codec;
    /** Null when the tensor is quantized without weights (or its type ignores them). */
    private final float[] importance;
    private final int rowLength;
    private final long rowsPerSlice;
    private final long slices;
    private final int rowBytes;

    TensorQuantizer(BlockCodec codec, float[] importance, TensorInfo source) {
        this.codec = codec;
        this.importance = importance;
        this.rowLength = Math.toIntExact(source.rowLength());
        this.rowsPerSlice = Math.max(1, source.dim(1));
        this.slices = Math.max(1, source.dim(2));
        this.rowBytes = codec.encodedBytes(rowLength);
    }

    /**
     * The quantizer of a converted tensor: its target type's codec and, when the plan weighs the tensor, its weights
     * from {@code imatrix}.
     *
     * @throws UnsupportedOperationException when gguflens cannot quantize to the target type, or the weights are only
     *                                       assumed ({@code --assume-imatrix})
     */
    public static TensorQuantizer of(TensorInfo source, PlannedTensor planned, ImatrixMode imatrix) {
        float[] weights = imatrix.weightsFor(planned);
        // canQuantize() is about the plain encoder: the types encoded only with weights (REQUIRED) lack one.
        BlockCodec codec = Codecs.forType(planned.targetType())
                .filter(c -> c.canQuantize() || weights != null && c.importanceUse() == ImportanceUse.REQUIRED)
                .orElseThrow(() -> new UnsupportedOperationException("tensor '" + planned.name() + "': gguflens cannot quantize to "
                        + planned.targetType() + (weights == null && Codecs.forType(planned.targetType())
                                .filter(c -> c.importanceUse() == ImportanceUse.REQUIRED).isPresent()
                                ? " without importance weights (ggml aborts; llama-quantize needs an imatrix entry for it)" : " yet")));
        // A type that ignores the weights encodes the same bytes without them, in any run of blocks.
        float[] w = codec.importanceUse() == ImportanceUse.IGNORED ? null : weights;
        if (w != null && w.length != (long) source.rowLength() * Math.max(1, source.dim(2))) {
            throw new IllegalArgumentException("tensor '" + planned.name() + "': " + w.length + " importance values for rows of "
                    + source.rowLength() + " in " + source.dim(2) + " slices");
        }
        return new TensorQuantizer(codec, w, source);
    }

    public BlockCodec codec() {
        return codec;
    }

    public GgmlType type() {
        return codec.type();
    }

    /**
     * Whether {@code o} (for the same tensor) encodes every value into the same bytes: the same target type and
     * the same weights (the very same array, as one imatrix entry gives them; equal copies count as different,
     * which costs only a second encoding).
     */
    boolean sameEncoding(TensorQuantizer o) {
        return codec.type().equals(o.codec.type()) && importance == o.importance;
    }

    /** Whether values are encoded with importance weights, and so only in whole rows. */
    public boolean weighted() {
        return importance != null;
    }

    /**
     * Encodes {@code count} values of {@code x} from {@code xOff}, which are the tensor's elements from {@code first},
     * into {@code q} from {@code qOff}. Weighted, {@code first} and {@code count} must be whole rows.
     */
    public void quantize(float[] x, int xOff, byte[] q, int qOff, long first, int count) {
        if (importance == null) {
            codec.quantize(x, xOff, q, qOff, count);
            return;
        }
        if (first % rowLength != 0 || count % rowLength != 0) {
            throw new IllegalArgumentException("weighted rows must be whole: elements " + first + ".." + (first + count)
                    + " in rows of " + rowLength);
        }
        long row = first / rowLength;
        long end = row + count / rowLength;
        int at = 0;
        while (row < end) {
            long slice = row / rowsPerSlice;
            // The rows of this run that share the slice's weights.
            long stop = Math.min(end, (slice + 1) * rowsPerSlice);
            int n = Math.toIntExact(stop - row);
            codec.quantizeRows(x, xOff + at * rowLength, q, qOff + at * rowBytes, n, rowLength, importance,
                    Math.toIntExact((slice % slices) * rowLength));
            at += n;
            row = stop;
        }
    }

    /**
     * {@link #quantize}, and the encoded values decoded into {@code y} from {@code yOff}: without weights in one pass
     * where the codec can ({@link BlockCodec#quantizeAndDecode}).
     */
    public void quantizeAndDecode(float[] x, int xOff, byte[] q, int qOff, float[] y, int yOff, long first, int count) {
        if (importance == null) {
            codec.quantizeAndDecode(x, xOff, q, qOff, y, yOff, count);
        } else {
            quantize(x, xOff, q, qOff, first, count);
            codec.dequantize(q, qOff, y, yOff, count);
        }
    }
}
