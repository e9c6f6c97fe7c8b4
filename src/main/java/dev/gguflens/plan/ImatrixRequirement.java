package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;

/** Which planned tensors need an importance matrix ({@code tensor_requires_imatrix}, llama-quantize-rules.md §10.1). */
final class ImatrixRequirement {
    private ImatrixRequirement() {
    }

    /** By the final target type (after overrides and fallback); never for the embeddings or the output. */
    static boolean requires(String name, GgmlType target, LlamaFileType ftype) {
        if (TensorCategory.isTokenEmbedding(name) || name.equals(TensorCategory.OUTPUT_WEIGHT)) {
            return false;
        }
        // The types whose quantizers are useless without importance data; q2_K only in a Q2_K_S file.
        return switch (target.ggmlName()) {
            case "iq3_xxs", "iq2_xxs", "iq2_xs", "iq2_s", "iq1_m", "iq1_s" -> true;
            case "q2_K" -> ftype.id() == LlamaFileType.MOSTLY_Q2_K_S.id();
            default -> false;
        };
    }
}
