package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;

/**
 * One tensor of the planned output file.
 *
 * @param name        the tensor name
 * @param shape       dimensions as the output stores them (ggml order, trailing 1s dropped)
 * @param sourceType  the type in the source file
 * @param targetType  the type llama-quantize writes
 * @param sourceBytes data bytes in the source
 * @param targetBytes data bytes in the output, without padding
 * @param offset      offset of the data from the start of the output's data section
 * @param reason      why this type, in a few words
 * @param imatrix     whether it is quantized with importance weights, and if not, why
 */
public record PlannedTensor(String name, long[] shape, GgmlType sourceType, GgmlType targetType, long sourceBytes,
                            long targetBytes, long offset, String reason, ImatrixUse imatrix) {

    /** Whether llama-quantize copies the bytes unchanged (same type). */
    public boolean copied() {
        return sourceType.equals(targetType);
    }

    /** Element count. */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
