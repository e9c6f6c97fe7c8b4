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

    /** Whether the plain {@link #quantize} (no importance weights) is available: false for the types gguflens encodes only with weights ({@link ImportanceUse#REQUIRED}). */
    boolean canQuantize();

    /**
     * Encodes {@code n} values of {@code src} from {@code srcOff} into {@code dst} from {@code dstOff},
     * as {@code ggml_quantize_chunk} does without an importance matrix.
     *
     * @throws UnsupportedOperationException when {@link #canQuantize()} is false
     * @throws CodecAbortException where ggml itself would abort on this input
     */
    void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n);

    /**
     * How this type's encoder treats an importance matrix (reference/quantizers-imatrix.md §1.6). Types
     * that ignore it encode the same bytes with or without one.
     */
    default ImportanceUse importanceUse() {
        return ImportanceUse.IGNORED;
    }

    /**
     * Encodes {@code nRows} rows of {@code nPerRow} values each, as
     * {@code ggml_quantize_chunk(type, src, dst, start, nRows, nPerRow, imatrix)} does: with importance
     * weights {@code importance[importanceOff .. importanceOff + nPerRow)}, one per column and the same
     * for every row, or without any when {@code importance} is null (then this is {@link #quantize}).
     * Rows, not blocks, are the unit because some weighted encoders (Q4_0, Q4_1, Q5_0, Q5_1) derive a
     * term from the whole row; {@code nPerRow} is a multiple of the block size.
     *
     * @throws UnsupportedOperationException when {@code importance} is null and {@link #importanceUse()}
     *                                       is {@link ImportanceUse#REQUIRED}, or when the type cannot be quantized
     * @throws CodecAbortException           where ggml itself would abort on this input
     */
    default void quantizeRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                              float[] importance, int importanceOff) {
        if (importance == null || importanceUse() == ImportanceUse.IGNORED) {
            quantize(src, srcOff, dst, dstOff, nRows * nPerRow);
        } else {
            quantizeWeightedRows(src, srcOff, dst, dstOff, nRows, nPerRow, importance, importanceOff);
        }
    }

    /**
     * {@link #quantizeRows} with importance weights (never null): what every codec whose
     * {@link #importanceUse()} is not {@link ImportanceUse#IGNORED} implements.
     */
    default void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                      float[] importance, int importanceOff) {
        throw new UnsupportedOperationException(type().name() + " has no weighted encoder");
    }

    /** Decodes {@code n} values from {@code src} at {@code srcOff} into {@code dst} from {@code dstOff}, as ggml's {@code to_float}. */
    void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n);

    /**
     * {@link #quantize}, then {@link #dequantize} of what it wrote into {@code decoded} from {@code decodedOff}: a round
     * trip through the type. Codecs that hold the decoded values while they encode override it and skip the second
     * pass (with the same bits).
     */
    default void quantizeAndDecode(float[] src, int srcOff, byte[] dst, int dstOff, float[] decoded, int decodedOff, int n) {
        quantize(src, srcOff, dst, dstOff, n);
        dequantize(dst, dstOff, decoded, decodedOff, n);
    }

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
