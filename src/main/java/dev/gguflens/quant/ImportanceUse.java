package dev.gguflens.quant;

/** How a type's encoder treats an importance matrix (reference/quantizers-imatrix.md §1.6). */
public enum ImportanceUse {
    /** The bytes are the same with or without importance weights (Q8_0, TQ1_0, MXFP4, F16, ...). */
    IGNORED,
    /** Weights change the bytes; without them the type has its own plain encoder. */
    USED,
    /**
     * gguflens encodes the type only with weights: ggml cannot without them for IQ2_XXS, IQ2_XS and IQ1_S
     * ({@code ggml_quantize_requires_imatrix}), and llama-quantize never asks it to for IQ2_S, IQ3_XXS and
     * IQ1_M (its {@code tensor_requires_imatrix} rule), so their plain encoders are not ported.
     */
    REQUIRED
}
