package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;

/**
 * Encodes float values into one ggml block type and decodes them back, exactly as ggml does.
 *
 * <p>Values are handled in whole blocks: {@code n} is a multiple of the type's block size, and the
 * encoded form takes {@code n / blockSize * typeSize} bytes, little-endian as in GGUF files. Blocks
 * are independent (llama-quantize splits tensors by rows and rows by blocks), so a caller may encode a
 * tensor in any chunking of whole blocks and get the same bytes. Implementations are stateless and
 * thread-safe.
 */
public interface BlockCodec {

    /** The type this codec encodes and decodes. */
    GgmlType type();

    /** Whether {@link #quantize} is available (decode-only types, e.g. the IQ2 family, return false). */
    boolean canQuantize();

    /**
     * Encodes {@code n} values of {@code src} from {@code srcOff} into {@code dst} from {@code dstOff},
     * as {@code ggml_quantize_chunk} does without an importance matrix.
     *
     * @throws UnsupportedOperationException when {@link #canQuantize()} is false
     * @throws CodecAbortException where ggml itself would abort on this input
     */
    void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n);

    /** Decodes {@code n} values from {@code src} at {@code srcOff} into {@code dst} from {@code dstOff}, as ggml's {@code to_float}. */
    void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n);

    /**
     * The index of the first of {@code nBlocks} encoded blocks that {@code ggml_validate_row_data}
     * rejects (a scale that is NaN or infinite, ...), or -1 when all are valid. llama-quantize refuses
     * its output when this is not -1.
     */
    default long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return -1;
    }

    /** Bytes taken by {@code n} encoded values. */
    default int encodedBytes(int n) {
        return n / type().blockSize() * type().typeSize();
    }
}
