package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The messages of {@link TensorAbortException}, shared by the engine and the file writer. */
public final class Aborts {
    /** The codec's own message: "...quantizing block B, values A..Z: REASON", positions relative to its call. */
    private static final Pattern CODEC_MESSAGE = Pattern.compile("values (\\d+)\\.\\.(\\d+): (.*)$", Pattern.DOTALL);

    private Aborts() {
    }

    /**
     * ggml would abort quantizing {@code count} values of {@code t}, held in {@code x} from {@code off} and
     * starting at element {@code first}, to {@code codec}'s type. Finds the first block that aborts (by
     * quantizing block by block: this runs once, on the way out) so the message names the exact values
     * and row, whatever the chunking.
     */
    public static TensorAbortException codecAbort(TensorInfo t, BlockCodec codec, float[] x, int off, long first, int count,
                                                  CodecAbortException e) {
        GgmlType type = codec.type();
        int bs = type.blockSize();
        byte[] one = new byte[type.typeSize()];
        for (int b = 0; b < count / bs; b++) {
            try {
                codec.quantize(x, off + b * bs, one, 0, bs);
            } catch (CodecAbortException blockAbort) {
                long blockStart = first + (long) b * bs;
                long from = blockStart;
                long to = blockStart + bs - 1;
                String reason = blockAbort.getMessage();
                Matcher m = CODEC_MESSAGE.matcher(reason);
                if (m.find()) {
                    from = blockStart + Long.parseLong(m.group(1));
                    to = blockStart + Long.parseLong(m.group(2));
                    reason = m.group(3);
                }
                return abort(t, type, from, to, reason);
            }
        }
        // Not reproducible block by block (never expected: blocks are independent); report the piece.
        return abort(t, type, first, first + count - 1, e.getMessage());
    }

    private static TensorAbortException abort(TensorInfo t, GgmlType type, long from, long to, String reason) {
        return new TensorAbortException(t.name(), TensorAbortException.Kind.CODEC_ABORT,
                "tensor '" + t.name() + "': ggml would abort quantizing it to " + type + ", at values " + from + ".." + to
                        + " (row " + row(t, from) + "): " + reason);
    }

    /** Value {@code element} of {@code t} starts a block of {@code type} that {@code ggml_validate_row_data} rejects. */
    public static TensorAbortException validationFailed(TensorInfo t, GgmlType type, long element) {
        String what = type.quantized() ? "a NaN or infinite scale" : "a NaN or infinite value";
        String where = type.blockSize() == 1 ? "value " + element : "block of values " + element + ".." + (element + type.blockSize() - 1);
        return new TensorAbortException(t.name(), TensorAbortException.Kind.VALIDATION_FAILED,
                "tensor '" + t.name() + "': quantized data validation failed: the " + type + " " + where + " (row " + row(t, element)
                        + ") has " + what + ", so llama-quantize refuses to write it");
    }

    private static long row(TensorInfo t, long element) {
        return t.rowLength() == 0 ? 0 : element / t.rowLength();
    }
}
