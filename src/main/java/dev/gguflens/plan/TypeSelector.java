package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;

/**
 * One tensor's target type in llama.cpp's order ({@code llama_tensor_get_type}, llama-quantize-rules.md
 * §7): non-quantizable tensors keep their type; then the embedding and output options; a non-quantized
 * default type for everything; else the first matching {@code --tensor-type}, {@code --pure} or the
 * mixture rules, and finally the row-length fallback.
 */
final class TypeSelector {
    private final QuantizeOptions options;
    private final GgmlType defaultType;
    private final MixtureRules rules;
    private int fallbacks;

    TypeSelector(QuantizeOptions options, GgmlType defaultType, MixtureRules rules) {
        this.options = options;
        this.defaultType = defaultType;
        this.rules = rules;
    }

    Choice select(SourceTensor v) throws QuantizeRefusal {
        // Step 1: nothing applies to a tensor that may not be quantized, not even --tensor-type.
        if (!v.quantizable()) {
            return new Choice(v.info().type(), v.keepReason());
        }
        // Step 2. The pinned binary lets a matching --tensor-type beat --token-embedding-type for
        // per_layer_token_embd.weight only (§0, difference 2).
        if (options.tokenEmbeddingType() != null && v.category() == TensorCategory.TOKEN_EMBD
                && !(v.name().equals(TensorCategory.PER_LAYER_TOKEN_EMBD_WEIGHT) && v.overrideIndex() >= 0)) {
            return new Choice(options.tokenEmbeddingType(), "--token-embedding-type " + options.tokenEmbeddingType().ggmlName());
        }
        // Step 3.
        if (options.outputTensorType() != null && v.category() == TensorCategory.OUTPUT) {
            return new Choice(options.outputTensorType(), "--output-tensor-type " + options.outputTensorType().ggmlName());
        }
        // Step 4: F32, F16, BF16 targets convert every quantizable tensor, with no rules, patterns or fallback.
        if (!defaultType.quantized()) {
            return new Choice(defaultType, options.ftype() + ": every weight becomes " + defaultType);
        }
        Choice chosen;
        if (v.overrideIndex() >= 0) {
            // Step 5: a manual tensor skips the rules, so its counters do not move.
            chosen = new Choice(options.tensorTypes().get(v.overrideIndex()).type(),
                    "--tensor-type " + options.tensorTypes().get(v.overrideIndex()));
        } else if (options.pure()) {
            chosen = new Choice(defaultType, "--pure: default type of " + options.ftype());
        } else {
            chosen = rules.choose(v, defaultType); // step 6
        }
        Choice result = Fallback.apply(chosen, v.rowLength()); // step 7
        if (Fallback.happened(chosen, result)) {
            fallbacks++;
        }
        return result;
    }

    /** How many tensors needed the fallback so far (llama.cpp's {@code n_fallback}). */
    int fallbacks() {
        return fallbacks;
    }
}
