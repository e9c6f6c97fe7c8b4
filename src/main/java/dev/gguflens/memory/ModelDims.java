package dev.gguflens.memory;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The hyperparameters llama.cpp's memory arithmetic reads, loaded from a model's metadata as
 * {@code llama_model_base::load_hparams} ({@code src/llama-model.cpp}) and the architectures'
 * {@code load_arch_hparams} ({@code src/models/*.cpp}) load them, at the oracle's llama.cpp version.
 *
 * @param architecture     {@code general.architecture}
 * @param layers           {@code n_layer_all}: {@code {arch}.block_count}, NextN (MTP) layers included
 * @param nextnLayers      {@code n_layer_nextn}: {@code {arch}.nextn_predict_layers}, 0 when absent
 * @param embd             {@code n_embd}: {@code {arch}.embedding_length}
 * @param vocab            {@code n_vocab}: the number of {@code tokenizer.ggml.tokens}, else {@code {arch}.vocab_size},
 *                         else the rows of {@code token_embd.weight} (0 when none)
 * @param contextLength    {@code n_ctx_train}: {@code {arch}.context_length}, 0 when absent
 * @param heads            {@code n_head(il)} per layer ({@code attention.head_count}, one value or an array)
 * @param kvHeads          {@code n_head_kv(il)} per layer ({@code attention.head_count_kv}, default {@code heads})
 * @param headDimK         {@code n_embd_head_k}: {@code attention.key_length}, default {@code n_embd / n_head(0)}
 * @param headDimV         {@code n_embd_head_v}: {@code attention.value_length}, same default
 * @param headDimKSwa      the sliding-window layers' key length ({@code attention.key_length_swa}, default {@code headDimK})
 * @param headDimVSwa      the sliding-window layers' value length ({@code attention.value_length_swa})
 * @param rope             {@code n_rot}: {@code rope.dimension_count}, default {@code headDimK}
 * @param swa              which layers attend over a sliding window, and the window
 * @param mla              the compressed-KV (MLA) dimensions, or null when the model has none
 * @param memory           the memory module llama.cpp's {@code llama_model::create_memory} builds for it
 * @param cacheLayers      per layer: whether it has a KV cache (its attention layers, after llama.cpp's layer
 *                         filters: NextN layers are left out of the main context, layers past
 *                         {@code n_layer_kv_from_start} share another layer's cache, recurrent layers of a hybrid
 *                         have none)
 * @param recurrentLayers  per layer: whether it keeps a recurrent state
 * @param recurrent        the recurrent state's widths, or null without recurrent layers
 * @param feedForward      {@code n_ff(il)} per layer ({@code feed_forward_length}, 0 when absent)
 * @param expertFeedForward {@code n_ff_exp}: {@code expert_feed_forward_length} (its largest value); with experts but
 *                         without that key, {@code n_ff} (Mixtral-style); 0 without experts
 * @param expertsUsed      {@code n_expert_used}: {@code expert_used_count} (its largest value), 0 without experts
 * @param unmodelled       null, or why llama.cpp's memory for this architecture is not what these formulas compute
 */
public record ModelDims(String architecture, int layers, int nextnLayers, long embd, long vocab, long contextLength, long[] heads,
                        long[] kvHeads, long headDimK, long headDimV, long headDimKSwa, long headDimVSwa, long rope, SlidingWindow swa,
                        Mla mla, Memory memory, boolean[] cacheLayers, boolean[] recurrentLayers, RecurrentDims recurrent,
                        long[] feedForward, long expertFeedForward, long expertsUsed, String unmodelled) {

    /** The memory module llama.cpp builds ({@code llama_model::create_memory}). */
    public enum Memory {
        /** {@code llama_kv_cache}: one K and V tensor per layer over every cell. */
        KV_CACHE,
        /** {@code llama_kv_cache_iswa}: a full cache for the full-attention layers, a window-sized one for the others. */
        KV_CACHE_ISWA,
        /** {@code llama_memory_recurrent}: one state per sequence, whatever the context. */
        RECURRENT,
        /** {@code llama_memory_hybrid}: a KV cache for the attention layers and a recurrent state for the others. */
        HYBRID,
        /** No memory: llama.cpp creates none for encoder-only and diffusion models. */
        NONE
    }

    /**
     * Multi-head latent attention (DeepSeek-V2 style, {@code hparams.is_mla()}): the cache keeps one compressed
     * row per token, {@code key_length} = {@code kv_lora_rank + n_rot} wide, and no V.
     *
     * @param kvLoraRank    {@code attention.kv_lora_rank}
     * @param keyLengthMla  {@code attention.key_length_mla}: the decompressed query/key head width
     * @param valueLengthMla {@code attention.value_length_mla}: the decompressed value head width
     */
    public record Mla(long kvLoraRank, long keyLengthMla, long valueLengthMla) {
    }

    /** Architectures llama.cpp keeps only a recurrent state for ({@code llm_arch_is_recurrent}). */
    static final Set<String> RECURRENT_ARCHS = Set.of("mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7");
    /** Architectures with both ({@code llm_arch_is_hybrid}). */
    static final Set<String> HYBRID_ARCHS = Set.of("jamba", "falcon-h1", "plamo2", "granitehybrid", "lfm2", "lfm2moe", "nemotron_h",
            "nemotron_h_moe", "qwen3next", "kimi-linear", "bailingmoe3", "kimi-k3", "qwen35", "qwen35moe", "qwen4exp", "deepseek4",
            "minimax-01");
    /** Architectures for which {@code create_memory} returns no memory at all. */
    static final Set<String> NO_MEMORY_ARCHS = Set.of("bert", "jina-bert-v2", "jina-bert-v3", "nomic-bert", "nomic-bert-moe",
            "neo-bert", "eurobert", "wavtokenizer-dec", "modern-bert", "gemma-embedding", "dream", "llada", "llada-moe", "rnd1");
    /** Architectures whose cache is one of llama.cpp's special kinds (indexer keys, compressed or shared caches). */
    static final Set<String> SPECIAL_CACHE_ARCHS = Set.of("minimax-m3", "glm-dsa", "deepseek32", "hy_v4", "dots3note", "deepseek4",
            "dflash", "gemma4-assistant");
    /** Hybrids whose recurrent widths need keys these formulas do not read (KDA, lightning attention, MLA hybrids). */
    static final Set<String> UNMODELLED_HYBRIDS = Set.of("kimi-linear", "kimi-k3", "bailingmoe3", "qwen4exp", "deepseek4", "minimax-01");
    /** Architectures that read {@code key_length_mla}/{@code value_length_mla}. */
    static final Set<String> MLA_ARCHS = Set.of("deepseek2", "deepseek32", "glm-dsa", "bailingmoe3", "hy_v4", "kimi-k3", "kimi-linear",
            "dots3note");

    public ModelDims {
        heads = heads.clone();
        kvHeads = kvHeads.clone();
        cacheLayers = cacheLayers.clone();
        recurrentLayers = recurrentLayers.clone();
        feedForward = feedForward.clone();
    }

    /** {@code n_layer()}: the trunk, block count minus NextN layers. */
    public int trunkLayers() {
        return layers - nextnLayers;
    }

    /** Whether layer {@code il} attends over a sliding window. */
    public boolean isSwa(int il) {
        return swa.layers()[il];
    }

    /** {@code n_embd_k_gqa(il)}: the K cache row of layer {@code il}, in values. */
    public long kRow(int il) {
        return (isSwa(il) ? headDimKSwa : headDimK) * kvHeads[il];
    }

    /** {@code n_embd_v_gqa(il)}: the V cache row of layer {@code il}, in values. */
    public long vRow(int il) {
        return (isSwa(il) ? headDimVSwa : headDimV) * kvHeads[il];
    }

    /** {@code n_embd_v_gqa_max()}: the widest V row over every layer (the transposed V cache pads to it). */
    public long vRowMax() {
        long max = layers == 0 ? 0 : vRow(0);
        for (int il = 0; il < layers; il++) {
            max = Math.max(max, vRow(il));
        }
        return max;
    }

    /** The largest {@code n_head(il)} over the layers with a cache (the widest attention-score tensor). */
    public long maxHeads() {
        long max = 0;
        for (int il = 0; il < layers; il++) {
            if (cacheLayers[il]) {
                max = Math.max(max, heads[il]);
            }
        }
        return max;
    }

    /** The largest {@code n_ff(il)}. */
    public long maxFeedForward() {
        return Arrays.stream(feedForward).max().orElse(0);
    }

    /** How many layers have a KV cache. */
    public int cacheLayerCount() {
        int n = 0;
        for (boolean b : cacheLayers) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** How many layers keep a recurrent state. */
    public int recurrentLayerCount() {
        int n = 0;
        for (boolean b : recurrentLayers) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Reads the dimensions of an open file. */
    public static ModelDims of(GgufFile file) throws GgufFormatException {
        return of(file.metadata(), file.tensors());
    }

    /**
     * Reads the dimensions from a header: a required key that is missing or of the wrong type is a format error
     * naming it, as llama.cpp would fail to load the model.
     */
    public static ModelDims of(List<MetadataEntry> metadata, List<TensorInfo> tensors) throws GgufFormatException {
        String arch = null;
        for (MetadataEntry e : metadata) {
            if (e.key().equals("general.architecture")) {
                if (!(e.value() instanceof GgufValue.Str s)) {
                    throw new GgufFormatException("key 'general.architecture' must be a STRING but is " + e.value().type(), e.offset());
                }
                arch = s.text();
                break;
            }
        }
        if (arch == null) {
            throw new GgufFormatException("key 'general.architecture' is missing: llama.cpp cannot load the model", -1);
        }
        HparamKeys k = new HparamKeys(arch, metadata);
        long blocks = k.required("block_count");
        if (blocks <= 0 || blocks > 512) {
            // LLAMA_MAX_LAYERS is 512
            throw new GgufFormatException("key '" + arch + ".block_count' is " + blocks + ": llama.cpp accepts 1 to 512 layers",
                    k.entry(arch + ".block_count").offset());
        }
        int all = (int) blocks;
        long nextn = k.integer("nextn_predict_layers", 0);
        if (nextn > all) {
            throw new GgufFormatException("key '" + arch + ".nextn_predict_layers' is " + nextn + ", more than the " + all + " layers",
                    k.entry(arch + ".nextn_predict_layers").offset());
        }
        int trunk = all - (int) nextn;
        long embd = k.required("embedding_length");
        long ctx = k.integer("context_length", 0);
        long[] heads = k.perLayer("attention.head_count", all, new long[all]);
        long[] kvHeads = k.perLayer("attention.head_count_kv", all, heads);
        long[] ff = k.perLayer("feed_forward_length", all, new long[all]);
        long head0 = heads[0];
        long dimK = 0;
        long dimV = 0;
        long rope = 0;
        if (head0 > 0) {
            dimK = k.integer("attention.key_length", embd / head0);
            dimV = k.integer("attention.value_length", embd / head0);
            rope = k.integer("rope.dimension_count", dimK);
        }
        long dimKSwa = k.integer("attention.key_length_swa", dimK);
        long dimVSwa = k.integer("attention.value_length_swa", dimV);
        SlidingWindow swa = SlidingWindow.of(arch, k, trunk, all);

        Mla mla = null;
        if (MLA_ARCHS.contains(arch) && k.integer("attention.key_length_mla", 0) != 0 && k.integer("attention.value_length_mla", 0) != 0) {
            mla = new Mla(k.integer("attention.kv_lora_rank", 0), k.integer("attention.key_length_mla", 0),
                    k.integer("attention.value_length_mla", 0));
        }

        long[] expertFf = k.perLayer("expert_feed_forward_length", all, new long[all]);
        long[] expertsUsed = k.perLayer("expert_used_count", all, new long[all]);

        Memory memory;
        String unmodelled = null;
        boolean[] cache = new boolean[all];
        boolean[] recurrentLayers = new boolean[all];
        RecurrentDims recurrent = null;
        if (NO_MEMORY_ARCHS.contains(arch)) {
            memory = Memory.NONE;
        } else if (RECURRENT_ARCHS.contains(arch)) {
            memory = Memory.RECURRENT;
            // llama_memory_recurrent: every layer of n_layer(), no filter
            Arrays.fill(recurrentLayers, 0, trunk, true);
            recurrent = RecurrentDims.of(arch, k, embd);
        } else if (HYBRID_ARCHS.contains(arch)) {
            memory = Memory.HYBRID;
            hybridLayers(arch, k, trunk, all, kvHeads, ff, cache, recurrentLayers);
            recurrent = RecurrentDims.of(arch, k, embd);
            long window = k.integer("attention.sliding_window", 0);
            if (arch.equals("lfm2") && window > 0) {
                // lfm2.cpp: with a window, every attention layer is a sliding-window layer (llama_memory_hybrid_iswa)
                boolean[] flags = new boolean[all];
                for (int il = 0; il < all; il++) {
                    flags[il] = !recurrentLayers[il];
                }
                swa = new SlidingWindow(SlidingWindow.Kind.STANDARD, window, flags);
            }
            if (UNMODELLED_HYBRIDS.contains(arch)) {
                unmodelled = arch + "'s recurrent layers keep states whose widths these formulas do not read";
            }
        } else {
            memory = swa.any() ? Memory.KV_CACHE_ISWA : Memory.KV_CACHE;
            // create_memory's default branch: NextN layers are filtered out of the main context
            int end = nextn > 0 && trunk > 0 ? trunk : all;
            Arrays.fill(cache, 0, end, true);
            if (SPECIAL_CACHE_ARCHS.contains(arch)) {
                unmodelled = "llama.cpp gives " + arch + " a cache of its own kind (e.g. indexer keys or shared layers); these are the"
                        + " figures of a standard cache";
            }
        }
        // has_kv(il): only the first n_layer_kv_from_start layers own a cache, the others reuse one of those
        int kvFromStart = switch (arch) {
            case "gemma3n" -> 20;
            case "gemma4" -> (int) Math.max(0, all - k.integer("attention.shared_kv_layers", 0));
            default -> -1;
        };
        if (kvFromStart >= 0) {
            for (int il = kvFromStart; il < all; il++) {
                cache[il] = false;
            }
        }
        // Without expert_feed_forward_length an expert is n_ff wide (Mixtral's ffn_*_exps in llama.cpp's llama graph)
        long expertWidth = Arrays.stream(expertFf).max().orElse(0);
        if (expertWidth == 0 && k.integer("expert_count", 0) > 0) {
            expertWidth = Arrays.stream(ff).max().orElse(0);
        }
        return new ModelDims(arch, all, (int) nextn, embd, vocab(tensors, k), ctx, heads, kvHeads, dimK, dimV, dimKSwa,
                dimVSwa, rope, swa, mla, memory, cache, recurrentLayers, recurrent, ff, expertWidth,
                Arrays.stream(expertsUsed).max().orElse(0), unmodelled);
    }

    /**
     * The hybrids' layer split, as their {@code load_arch_hparams} set {@code is_recr} and {@code create_memory}'s
     * filters use it: attention layers get a KV cache, recurrent ones a state.
     */
    private static void hybridLayers(String arch, HparamKeys k, int trunk, int all, long[] kvHeads, long[] ff, boolean[] cache,
                                     boolean[] recurrent) throws GgufFormatException {
        switch (arch) {
            case "falcon-h1" -> {
                // falcon-h1.cpp: every layer is both
                Arrays.fill(recurrent, 0, all, true);
                Arrays.fill(cache, 0, all, true);
            }
            case "nemotron_h", "nemotron_h_moe" -> {
                // nemotron-h.cpp: recurrent = no KV heads and no FFN; attention = KV heads and no FFN (FFN-only layers have neither)
                for (int il = 0; il < all; il++) {
                    recurrent[il] = il < trunk && kvHeads[il] == 0 && ff[il] == 0;
                    cache[il] = !recurrent[il] && ff[il] == 0 && il < trunk;
                }
            }
            case "qwen3next", "qwen35", "qwen35moe", "qwen4exp", "minimax-01" -> {
                // qwen3next.cpp: attention.recurrent_layers, else every full_attention_interval-th layer attends fully
                boolean[] flags = k.flags("attention.recurrent_layers", all);
                long interval = k.integer("full_attention_interval", 4);
                for (int il = 0; il < all; il++) {
                    recurrent[il] = flags != null ? flags[il] : il < trunk && interval > 0 && (il + 1) % interval != 0;
                    cache[il] = il < trunk && !recurrent[il];
                }
            }
            default -> {
                // jamba, granitehybrid, lfm2, lfm2moe, plamo2, ...: a layer without KV heads is recurrent
                for (int il = 0; il < all; il++) {
                    recurrent[il] = kvHeads[il] == 0;
                    cache[il] = !recurrent[il];
                }
            }
        }
    }

    private static long vocab(List<TensorInfo> tensors, HparamKeys k) throws GgufFormatException {
        MetadataEntry tokens = k.entry("tokenizer.ggml.tokens");
        if (tokens != null && tokens.value() instanceof GgufArray a) {
            return a.count();
        }
        long v = k.integer("vocab_size", -1);
        if (v >= 0) {
            return v;
        }
        for (TensorInfo t : tensors) {
            if (t.name().equals("token_embd.weight") && t.ne().length >= 2) {
                return t.ne()[1];
            }
        }
        return 0;
    }
}
