package dev.gguflens.gguf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's guess of a file type from its tensor types, used by its model loader when
 * {@code general.file_type} is absent (reference/gguf-format.md §12).
 */
public final class FileTypeGuess {
    // The ggml type → llama_ftype map of the pinned build's loader. MXFP4 is not in it (llama.cpp
    // logs "unknown type" and falls back to ALL_F32), although MOSTLY_MXFP4_MOE exists as a target.
    private static final Map<GgmlType, LlamaFileType> BY_TYPE = Map.ofEntries(
            Map.entry(GgmlType.F32, LlamaFileType.ALL_F32),
            Map.entry(GgmlType.F16, LlamaFileType.MOSTLY_F16),
            Map.entry(GgmlType.BF16, LlamaFileType.MOSTLY_BF16),
            Map.entry(GgmlType.Q4_0, LlamaFileType.MOSTLY_Q4_0),
            Map.entry(GgmlType.Q4_1, LlamaFileType.MOSTLY_Q4_1),
            Map.entry(GgmlType.Q5_0, LlamaFileType.MOSTLY_Q5_0),
            Map.entry(GgmlType.Q5_1, LlamaFileType.MOSTLY_Q5_1),
            Map.entry(GgmlType.Q8_0, LlamaFileType.MOSTLY_Q8_0),
            Map.entry(GgmlType.Q2_K, LlamaFileType.MOSTLY_Q2_K),
            Map.entry(GgmlType.Q3_K, LlamaFileType.MOSTLY_Q3_K_M),
            Map.entry(GgmlType.Q4_K, LlamaFileType.MOSTLY_Q4_K_M),
            Map.entry(GgmlType.Q5_K, LlamaFileType.MOSTLY_Q5_K_M),
            Map.entry(GgmlType.Q6_K, LlamaFileType.MOSTLY_Q6_K),
            Map.entry(GgmlType.TQ1_0, LlamaFileType.MOSTLY_TQ1_0),
            Map.entry(GgmlType.TQ2_0, LlamaFileType.MOSTLY_TQ2_0),
            Map.entry(GgmlType.IQ2_XXS, LlamaFileType.MOSTLY_IQ2_XXS),
            Map.entry(GgmlType.IQ2_XS, LlamaFileType.MOSTLY_IQ2_XS),
            Map.entry(GgmlType.IQ2_S, LlamaFileType.MOSTLY_IQ2_S),
            Map.entry(GgmlType.IQ3_XXS, LlamaFileType.MOSTLY_IQ3_XXS),
            Map.entry(GgmlType.IQ1_S, LlamaFileType.MOSTLY_IQ1_S),
            Map.entry(GgmlType.IQ1_M, LlamaFileType.MOSTLY_IQ1_M),
            Map.entry(GgmlType.IQ4_NL, LlamaFileType.MOSTLY_IQ4_NL),
            Map.entry(GgmlType.IQ4_XS, LlamaFileType.MOSTLY_IQ4_XS),
            Map.entry(GgmlType.IQ3_S, LlamaFileType.MOSTLY_IQ3_S),
            Map.entry(GgmlType.NVFP4, LlamaFileType.MOSTLY_NVFP4),
            Map.entry(GgmlType.Q1_0, LlamaFileType.MOSTLY_Q1_0),
            Map.entry(GgmlType.Q2_0, LlamaFileType.MOSTLY_Q2_0));

    private FileTypeGuess() {
    }

    /**
     * The file type llama.cpp guesses: the most frequent tensor type mapped to its file type; on a tie,
     * the type that reached the top count first in the loader's tensor order ({@link #loaderOrder()}).
     * No tensors, or a type without a file type, gives {@code ALL_F32}, as in llama.cpp.
     */
    public static LlamaFileType guess(List<TensorInfo> tensors) {
        TensorInfo[] ordered = tensors.toArray(TensorInfo[]::new);
        Arrays.sort(ordered, loaderOrder());
        Map<GgmlType, Integer> counts = new HashMap<>();
        int topCount = 0;
        GgmlType top = GgmlType.F32;
        for (TensorInfo t : ordered) {
            int n = counts.merge(t.type(), 1, Integer::sum);
            if (n > topCount) { // strictly greater: the first type to reach a count keeps it
                topCount = n;
                top = t.type();
            }
        }
        return BY_TYPE.getOrDefault(top, LlamaFileType.ALL_F32);
    }

    /**
     * The order of llama.cpp's {@code weights_map}: by the layer number of a {@code blk.N.} prefix
     * (-1 without one, so non-layer tensors come first), then by name compared byte by byte.
     */
    public static Comparator<TensorInfo> loaderOrder() {
        return Comparator.comparingInt((TensorInfo t) -> LayerNumber.forOrdering(t.name()))
                .thenComparing((a, b) -> Arrays.compareUnsigned(a.name().getBytes(StandardCharsets.UTF_8),
                        b.name().getBytes(StandardCharsets.UTF_8)));
    }
}
