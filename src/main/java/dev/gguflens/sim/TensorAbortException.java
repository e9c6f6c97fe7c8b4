package dev.gguflens.sim;

/**
 * llama-quantize would not get through this tensor: ggml would abort the process while quantizing it
 * (IQ3_S on non-finite or huge values), or the encoded blocks fail {@code ggml_validate_row_data}
 * ("quantized data validation failed"). The message names the tensor; the CLI exits with code 4.
 */
public final class TensorAbortException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which of llama-quantize's two ways of giving up on a tensor. */
    public enum Kind {
        /** ggml's quantizer would call {@code GGML_ASSERT} and kill the process. */
        CODEC_ABORT,
        /** The encoded data has a NaN or infinite scale (or value), which llama-quantize refuses to write. */
        VALIDATION_FAILED
    }

    private final String tensor;
    private final Kind kind;

    public TensorAbortException(String tensor, Kind kind, String message) {
        super(message, null, false, false);
        this.tensor = tensor;
        this.kind = kind;
    }

    /** The tensor's name. */
    public String tensor() {
        return tensor;
    }

    public Kind kind() {
        return kind;
    }
}
