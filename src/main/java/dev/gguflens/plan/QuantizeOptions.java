package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;
import java.util.List;
import java.util.Objects;

/**
 * The llama-quantize options that decide tensor types and the output's metadata, as data.
 *
 * @param ftype              the target file type
 * @param pure               {@code --pure}: the default type for every quantizable tensor (no mixture rules)
 * @param outputTensorType   {@code --output-tensor-type}, or null
 * @param tokenEmbeddingType {@code --token-embedding-type}, or null
 * @param tensorTypes        {@code --tensor-type} overrides in command-line order; the first match wins
 * @param leaveOutputTensor  {@code --leave-output-tensor}: output.weight keeps its type
 * @param allowRequantize    {@code --allow-requantize}: without it a quantized source tensor that would change type fails the run
 * @param imatrix            none, assumed, or read from a file
 */
public record QuantizeOptions(LlamaFileType ftype, boolean pure, GgmlType outputTensorType, GgmlType tokenEmbeddingType,
                              List<TensorTypeOverride> tensorTypes, boolean leaveOutputTensor, boolean allowRequantize,
                              ImatrixMode imatrix) {

    public QuantizeOptions {
        Objects.requireNonNull(ftype, "ftype");
        Objects.requireNonNull(imatrix, "imatrix");
        tensorTypes = List.copyOf(tensorTypes);
    }

    /** llama-quantize's defaults for {@code ftype}: no overrides, no imatrix, requantization refused. */
    public static QuantizeOptions of(LlamaFileType ftype) {
        return new QuantizeOptions(ftype, false, null, null, List.of(), false, false, ImatrixMode.NONE);
    }

    public QuantizeOptions withFtype(LlamaFileType f) {
        return new QuantizeOptions(f, pure, outputTensorType, tokenEmbeddingType, tensorTypes, leaveOutputTensor, allowRequantize, imatrix);
    }

    public QuantizeOptions withPure(boolean p) {
        return new QuantizeOptions(ftype, p, outputTensorType, tokenEmbeddingType, tensorTypes, leaveOutputTensor, allowRequantize, imatrix);
    }

    public QuantizeOptions withOutputTensorType(GgmlType t) {
        return new QuantizeOptions(ftype, pure, t, tokenEmbeddingType, tensorTypes, leaveOutputTensor, allowRequantize, imatrix);
    }

    public QuantizeOptions withTokenEmbeddingType(GgmlType t) {
        return new QuantizeOptions(ftype, pure, outputTensorType, t, tensorTypes, leaveOutputTensor, allowRequantize, imatrix);
    }

    public QuantizeOptions withTensorTypes(List<TensorTypeOverride> overrides) {
        return new QuantizeOptions(ftype, pure, outputTensorType, tokenEmbeddingType, overrides, leaveOutputTensor, allowRequantize, imatrix);
    }

    public QuantizeOptions withLeaveOutputTensor(boolean leave) {
        return new QuantizeOptions(ftype, pure, outputTensorType, tokenEmbeddingType, tensorTypes, leave, allowRequantize, imatrix);
    }

    public QuantizeOptions withAllowRequantize(boolean allow) {
        return new QuantizeOptions(ftype, pure, outputTensorType, tokenEmbeddingType, tensorTypes, leaveOutputTensor, allow, imatrix);
    }

    public QuantizeOptions withImatrix(ImatrixMode mode) {
        return new QuantizeOptions(ftype, pure, outputTensorType, tokenEmbeddingType, tensorTypes, leaveOutputTensor, allowRequantize, mode);
    }
}
