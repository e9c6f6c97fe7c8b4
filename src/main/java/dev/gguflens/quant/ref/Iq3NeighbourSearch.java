package dev.gguflens.quant.ref;

/**
 * {@code iq3_find_best_neighbour}'s scan of one neighbour list of a 3-bit grid (quantizers-imatrix.md §2.5),
 * pluggable so that {@code quant.simd} can supply a vectorized scan to the same IQ3_XXS and IQ3_S encoders
 * ({@link Iq3Codecs}). One instance serves one encoder (it may hold scratch space).
 */
public interface Iq3NeighbourSearch {
    /**
     * The position t (0 .. n-1) of the first of the {@code n} list entries at slots {@code first ..} of
     * {@link Iq3Lists} with the strictly smallest error {@code 0 + e_0 + e_1 + e_2 + e_3}, summed in that order,
     * {@code e_i = (w[wOff+i]*diff)*diff}, {@code diff = scale*(2l_i + 1) - x[xOff+i]} for the entry's levels
     * {@code l_i}; -1 when no error is below {@code Float.MAX_VALUE} (NaN or overflow: ggml aborts there).
     */
    int best(float[] x, int xOff, float[] w, int wOff, float scale, int first, int n);
}
