package dev.gguflens.memory;

import dev.gguflens.gguf.GgufFormatException;

/**
 * Which layers attend over a sliding window, and how wide it is, as each architecture's
 * {@code load_arch_hparams} in llama.cpp's {@code src/models/*.cpp} sets {@code swa_type}, {@code n_swa} and
 * the per-layer flags. The layer pattern is mostly not in the metadata: an architecture hard-codes "every
 * N-th layer attends fully" ({@code load_swa_pattern(ml, N)}), which {@code attention.sliding_window_pattern}
 * may override (an array of flags, or a scalar N); some read the flags from that array only.
 *
 * @param kind   none, standard or chunked (llama4)
 * @param window {@code n_swa}, the window in tokens (0 without sliding-window layers)
 * @param layers per layer of {@code n_layer_all}: whether it is a sliding-window layer
 */
record SlidingWindow(Kind kind, long window, boolean[] layers) {

    /** llama.cpp's {@code llama_swa_type}, for the ones that decide memory. */
    enum Kind { NONE, STANDARD, CHUNKED }

    static SlidingWindow none(int layers) {
        return new SlidingWindow(Kind.NONE, 0, new boolean[layers]);
    }

    /** Whether any layer is a sliding-window layer (llama.cpp then builds the two-cache {@code llama_kv_cache_iswa}). */
    boolean any() {
        if (kind == Kind.NONE) {
            return false;
        }
        for (boolean b : layers) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    int count() {
        int n = 0;
        for (boolean b : layers) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /**
     * The sliding-window layout of {@code arch}; {@code trunk} is {@code n_layer()} (block count minus NextN
     * layers, which are never sliding-window layers), {@code all} is {@code n_layer_all}.
     */
    static SlidingWindow of(String arch, HparamKeys keys, int trunk, int all) throws GgufFormatException {
        long key = keys.integer("attention.sliding_window", -1);
        return switch (arch) {
            // src/models/gemma2.cpp: always, n_swa defaults to 4096, every 2nd layer full
            case "gemma2" -> pattern(keys, Kind.STANDARD, key >= 0 ? key : 4096, 2, false, trunk, all);
            // gemma3.cpp, olmo2.cpp, mellum.cpp, afmoe.cpp, plamo3.cpp, laguna.cpp: only with a positive window
            case "gemma3" -> key > 0 ? pattern(keys, Kind.STANDARD, key, 6, false, trunk, all) : none(all);
            case "olmo2", "mellum", "afmoe" -> key > 0 ? pattern(keys, Kind.STANDARD, key, 4, false, trunk, all) : none(all);
            case "plamo3" -> key > 0 ? pattern(keys, Kind.STANDARD, key, 8, false, trunk, all) : none(all);
            case "laguna" -> key > 0 ? pattern(keys, Kind.STANDARD, key, 4, true, trunk, all) : none(all);
            // smallthinker.cpp: a positive key turns it on, then n_swa is fixed at 4096
            case "smallthinker" -> key > 0 ? pattern(keys, Kind.STANDARD, 4096, 4, true, trunk, all) : none(all);
            // gemma3n.cpp, cohere2.cpp, gpt-oss (openai-moe.cpp), muse-glimmer.cpp: always, the window key required
            case "gemma3n" -> pattern(keys, Kind.STANDARD, required(keys, key), 5, false, trunk, all);
            case "cohere2", "muse-glimmer" -> pattern(keys, Kind.STANDARD, required(keys, key), 4, false, trunk, all);
            case "cohere2moe" -> pattern(keys, Kind.STANDARD, required(keys, key), 4, true, trunk, all);
            case "gpt-oss" -> pattern(keys, Kind.STANDARD, required(keys, key), 2, false, trunk, all);
            // exaone-moe.cpp: n_swa 128 unless the (required) key says otherwise
            case "exaone-moe" -> pattern(keys, Kind.STANDARD, required(keys, key), 4, false, trunk, all);
            // exaone4.cpp: only the 64-layer (32B) model has sliding-window layers
            case "exaone4" -> trunk == 64 ? pattern(keys, Kind.STANDARD, key >= 0 ? key : 4096, 4, false, trunk, all) : none(all);
            // llama4.cpp: a window key of 0 turns it off; otherwise chunked attention over 8192 tokens, 3 chunked : 1 full
            case "llama4" -> key == 0 ? none(all) : pattern(keys, Kind.CHUNKED, 8192, 4, false, trunk, all);
            // gemma4.cpp, granite-swa.cpp, maple.cpp, mimo2.cpp, spark2-5.cpp, step35.cpp: the flags array only
            case "gemma4", "granite_swa", "maple", "mimo2", "spark2_5", "step35" -> array(keys, required(keys, key), all);
            default -> none(all);
        };
    }

    /** {@code load_swa_pattern}: the flags array if present, else {@code set_swa_pattern(N)} with the key's N or the default. */
    private static SlidingWindow pattern(HparamKeys keys, Kind kind, long window, long defaultPattern, boolean denseFirst, int trunk,
                                         int all) throws GgufFormatException {
        boolean[] flags = keys.flags("attention.sliding_window_pattern", all);
        if (flags != null) {
            for (int il = trunk; il < all; il++) {
                flags[il] = false;
            }
            return new SlidingWindow(kind, window, flags);
        }
        long n = keys.integer("attention.sliding_window_pattern", defaultPattern);
        boolean[] out = new boolean[all];
        for (int il = 0; il < trunk; il++) {
            // llama_hparams::set_swa_pattern: a pattern of 0 makes every layer a sliding-window layer
            out[il] = n == 0 || (denseFirst ? il % n != 0 : il % n < n - 1);
        }
        return new SlidingWindow(kind, window, out);
    }

    private static SlidingWindow array(HparamKeys keys, long window, int all) throws GgufFormatException {
        boolean[] flags = keys.flags("attention.sliding_window_pattern", all);
        if (flags == null) {
            throw new GgufFormatException("key '" + keys.arch() + ".attention.sliding_window_pattern' (an array of flags) is missing:"
                    + " llama.cpp cannot load the model", -1);
        }
        return new SlidingWindow(Kind.STANDARD, window, flags);
    }

    private static long required(HparamKeys keys, long value) throws GgufFormatException {
        if (value < 0) {
            throw new GgufFormatException("key '" + keys.arch() + ".attention.sliding_window' is missing: llama.cpp cannot load the model", -1);
        }
        return value;
    }
}
