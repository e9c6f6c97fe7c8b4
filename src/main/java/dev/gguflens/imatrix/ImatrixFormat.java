package dev.gguflens.imatrix;

/** The two file formats llama-quantize reads an importance matrix from. */
public enum ImatrixFormat {
    /** llama.cpp's current format: a GGUF file with {@code W.in_sum2} and {@code W.counts} per weight. */
    GGUF,
    /** The older binary {@code .dat} format of llama-imatrix (quantizers-imatrix.md §1.3). */
    LEGACY
}
