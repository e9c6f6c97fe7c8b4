package dev.gguflens.quant;

/** ggml would abort the process on this input (e.g. IQ3_S on non-finite values); gguflens reports it instead. */
public class CodecAbortException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecAbortException(String message) {
        super(message);
    }
}
