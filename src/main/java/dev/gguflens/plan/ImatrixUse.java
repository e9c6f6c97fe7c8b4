package dev.gguflens.plan;

/**
 * Whether llama-quantize quantizes a tensor with importance weights, and if not, why
 * (quantizers-imatrix.md §1.5, llama-quantize-rules.md §10.2).
 */
public enum ImatrixUse {
    /** Copied unchanged, or the run has no importance matrix: nothing to weigh. */
    NONE,
    /** Converted with the importance matrix's entry of the same name ({@code --assume-imatrix}: with an assumed one). */
    WEIGHTED,
    /** Converted without weights: the importance matrix has no entry for it ("did not find weights for NAME"). */
    NO_ENTRY,
    /**
     * Converted without weights: token_embd.weight or per_layer_token_embd.weight, whose entry has the wrong length
     * (any other tensor with a wrong-length entry fails the run).
     */
    WRONG_LENGTH;

    /** Whether a converted tensor goes without the weights the run has. */
    public boolean unweighted() {
        return this == NO_ENTRY || this == WRONG_LENGTH;
    }

    /** llama-quantize's words for an unweighted tensor. */
    public String describe(String tensor) {
        return switch (this) {
            case NO_ENTRY -> "did not find weights for " + tensor;
            case WRONG_LENGTH -> "the imatrix entry of " + tensor + " does not match its size";
            case NONE, WEIGHTED -> "";
        };
    }
}
