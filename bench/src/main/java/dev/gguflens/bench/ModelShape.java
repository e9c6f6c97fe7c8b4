package dev.gguflens.bench;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.GgufWriter.TensorSpec;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.MetadataEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hyperparameters of a llama-architecture model, and the header they imply: the {@code general.*}
 * and {@code llama.*} keys and every tensor info, with names and shapes as llama.cpp writes them.
 * With {@code experts > 0} the feed-forward tensors are Mixtral-style expert tensors.
 *
 * @param name          {@code general.name}
 * @param layers        {@code llama.block_count}
 * @param embd          {@code llama.embedding_length} (n_embd)
 * @param heads         attention heads
 * @param kvHeads       key/value heads (grouped-query attention)
 * @param ff            {@code llama.feed_forward_length} (per expert when there are experts)
 * @param experts       expert count, 0 for a dense model
 * @param expertsUsed   experts used per token
 * @param vocab         vocabulary size (rows of {@code token_embd} and {@code output})
 * @param contextLength {@code llama.context_length}
 * @param weightType    type of every matrix; norms and the router stay F32 as llama.cpp keeps them
 */
public record ModelShape(String name, int layers, long embd, int heads, int kvHeads, long ff, int experts, int expertsUsed,
                         long vocab, long contextLength, GgmlType weightType) {

    private static final long VOCAB = SyntheticTokenizer.LLAMA3_VOCAB, CONTEXT = 131_072;
    /** Llama 3.x's published shapes (the 3.1 generation: 128k context, rope_freqs tensor). */
    public static final ModelShape LLAMA3_8B = new ModelShape("Llama-3-8B-like", 32, 4096, 32, 8, 14_336, 0, 0, VOCAB, CONTEXT, GgmlType.F16);
    public static final ModelShape LLAMA3_70B = new ModelShape("Llama-3-70B-like", 80, 8192, 64, 8, 28_672, 0, 0, VOCAB, CONTEXT, GgmlType.F16);
    public static final ModelShape LLAMA3_405B = new ModelShape("Llama-3-405B-like", 126, 16_384, 128, 8, 53_248, 0, 0, VOCAB, CONTEXT, GgmlType.F16);
    /** The presets by the name the generator's {@code --preset} takes. */
    public static final Map<String, ModelShape> PRESETS = Map.of("llama3-8b", LLAMA3_8B, "llama3-70b", LLAMA3_70B, "llama3-405b", LLAMA3_405B);

    /** Tensors outside the layers: token_embd, output_norm, output, rope_freqs. */
    public static final int GLOBAL_TENSORS = 4;

    public ModelShape {
        if (layers < 1 || embd < 1 || heads < 1 || kvHeads < 1 || ff < 1 || vocab < 1 || contextLength < 1) {
            throw new IllegalArgumentException("every dimension must be positive: " + this);
        }
        if (embd % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("n_embd " + embd + " must divide into " + heads + " heads, and heads into "
                    + kvHeads + " KV heads");
        }
        if (experts < 0 || expertsUsed < 0 || expertsUsed > experts || (experts > 0 && expertsUsed == 0)) {
            throw new IllegalArgumentException("experts " + experts + ", used " + expertsUsed + ": need 0 < used <= experts, or no experts");
        }
        long block = weightType.blockSize();
        if (!weightType.hasKnownSize() || embd % block != 0 || ff % block != 0) {
            throw new IllegalArgumentException("type " + weightType + " (block size " + block + ") cannot hold rows of n_embd "
                    + embd + " or n_ff " + ff);
        }
    }

    /** A preset by name ({@link #PRESETS}), case-insensitive. */
    public static ModelShape preset(String name) {
        ModelShape s = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "' (known: " + String.join(", ", PRESETS.keySet().stream().sorted().toList()) + ")");
        }
        return s;
    }

    public ModelShape withName(String n) {
        return new ModelShape(n, layers, embd, heads, kvHeads, ff, experts, expertsUsed, vocab, contextLength, weightType);
    }

    public ModelShape withLayers(int n) {
        return new ModelShape(name, n, embd, heads, kvHeads, ff, experts, expertsUsed, vocab, contextLength, weightType);
    }

    public ModelShape withAttention(long nEmbd, int nHeads, int nKvHeads) {
        return new ModelShape(name, layers, nEmbd, nHeads, nKvHeads, ff, experts, expertsUsed, vocab, contextLength, weightType);
    }

    public ModelShape withFeedForward(long n) {
        return new ModelShape(name, layers, embd, heads, kvHeads, n, experts, expertsUsed, vocab, contextLength, weightType);
    }

    public ModelShape withExperts(int n, int used) {
        return new ModelShape(name, layers, embd, heads, kvHeads, ff, n, used, vocab, contextLength, weightType);
    }

    public ModelShape withVocab(long n) {
        return new ModelShape(name, layers, embd, heads, kvHeads, ff, experts, expertsUsed, n, contextLength, weightType);
    }

    public ModelShape withWeightType(GgmlType t) {
        return new ModelShape(name, layers, embd, heads, kvHeads, ff, experts, expertsUsed, vocab, contextLength, t);
    }

    /** Tensors in each layer: 9 for a dense layer, 10 with experts (the router is extra). */
    public int tensorsPerLayer() {
        return experts > 0 ? 10 : 9;
    }

    public int tensorCount() {
        return GLOBAL_TENSORS + layers * tensorsPerLayer();
    }

    /** The same shape with the layer count whose tensor count is nearest {@code n} (at least one layer). */
    public ModelShape withTensorCount(int n) {
        return withLayers((int) Math.max(1, Math.round((double) (n - GLOBAL_TENSORS) / tensorsPerLayer())));
    }

    /**
     * The same shape with the feed-forward width that brings the file nearest {@code fileBytes}, in steps of
     * 256 (so every block size divides it). Feed-forward matrices dominate a model's size, so only they move.
     */
    public ModelShape withFileSize(long fileBytes, SyntheticTokenizer tokenizer) {
        final long step = 256;
        long base = withFeedForward(step).layout(tokenizer).fileSize();
        long perStep = withFeedForward(2 * step).layout(tokenizer).fileSize() - base;
        if (fileBytes < base) {
            throw new IllegalArgumentException("a file of " + fileBytes + " bytes is too small for this shape: even n_ff "
                    + step + " makes " + base + " bytes (use fewer layers, a smaller n_embd or a smaller type)");
        }
        long steps = 1 + Math.round((double) (fileBytes - base) / perStep);
        return withFeedForward(steps * step);
    }

    /** Key/value width: head size times KV heads. */
    public long kvEmbd() {
        return embd / heads * kvHeads;
    }

    /** The file type this model would be labelled with: the one whose base type is the weight type. */
    public LlamaFileType fileType() {
        String t = weightType.name();
        return LlamaFileType.parse(t).or(() -> LlamaFileType.parse(t + "_M"))
                .orElseGet(() -> LlamaFileType.current().stream().filter(f -> weightType.equals(f.defaultType())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no llama file type has base type " + t)));
    }

    /** Every tensor, in the order llama.cpp's own writer uses: global tensors, then layer by layer. */
    public List<TensorSpec> tensors() {
        List<TensorSpec> t = new ArrayList<>(tensorCount());
        GgmlType w = weightType;
        t.add(new TensorSpec("token_embd.weight", new long[] {embd, vocab}, w));
        t.add(new TensorSpec("output_norm.weight", new long[] {embd}, GgmlType.F32));
        t.add(new TensorSpec("output.weight", new long[] {embd, vocab}, w));
        // Llama 3.1's long-context rope scaling: one factor per pair of head dimensions.
        t.add(new TensorSpec("rope_freqs.weight", new long[] {embd / heads / 2}, GgmlType.F32));
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            t.add(new TensorSpec(p + "attn_norm.weight", new long[] {embd}, GgmlType.F32));
            t.add(new TensorSpec(p + "attn_q.weight", new long[] {embd, embd}, w));
            t.add(new TensorSpec(p + "attn_k.weight", new long[] {embd, kvEmbd()}, w));
            t.add(new TensorSpec(p + "attn_v.weight", new long[] {embd, kvEmbd()}, w));
            t.add(new TensorSpec(p + "attn_output.weight", new long[] {embd, embd}, w));
            t.add(new TensorSpec(p + "ffn_norm.weight", new long[] {embd}, GgmlType.F32));
            if (experts == 0) {
                t.add(new TensorSpec(p + "ffn_gate.weight", new long[] {embd, ff}, w));
                t.add(new TensorSpec(p + "ffn_up.weight", new long[] {embd, ff}, w));
                t.add(new TensorSpec(p + "ffn_down.weight", new long[] {ff, embd}, w));
            } else {
                t.add(new TensorSpec(p + "ffn_gate_inp.weight", new long[] {embd, experts}, GgmlType.F32));
                t.add(new TensorSpec(p + "ffn_gate_exps.weight", new long[] {embd, ff, experts}, w));
                t.add(new TensorSpec(p + "ffn_up_exps.weight", new long[] {embd, ff, experts}, w));
                t.add(new TensorSpec(p + "ffn_down_exps.weight", new long[] {ff, embd, experts}, w));
            }
        }
        return t;
    }

    /** Total parameters (elements of every tensor). */
    public long parameters() {
        long n = 0;
        for (TensorSpec s : tensors()) {
            long e = 1;
            for (long d : s.ne()) {
                e = Math.multiplyExact(e, d);
            }
            n = Math.addExact(n, e);
        }
        return n;
    }

    /** The header's keys: general and llama hyperparameters, then the tokenizer's, as llama.cpp's converter orders them. */
    public List<MetadataEntry> metadata(SyntheticTokenizer tokenizer) {
        if (tokenizer.tokens().size() != vocab) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.tokens().size() + " tokens but the model's vocabulary is " + vocab);
        }
        long headDim = embd / heads;
        List<MetadataEntry> m = new ArrayList<>();
        m.add(str("general.architecture", "llama"));
        m.add(str("general.type", "model"));
        m.add(str("general.name", name));
        m.add(str("general.size_label", sizeLabel()));
        m.add(str("general.license", "other"));
        m.add(u32("general.file_type", fileType().id()));
        if (weightType.quantized()) {
            m.add(u32("general.quantization_version", 2));
        }
        m.add(u32("llama.block_count", layers));
        m.add(u32("llama.context_length", contextLength));
        m.add(u32("llama.embedding_length", embd));
        m.add(u32("llama.feed_forward_length", ff));
        m.add(u32("llama.attention.head_count", heads));
        m.add(u32("llama.attention.head_count_kv", kvHeads));
        m.add(new MetadataEntry("llama.rope.freq_base", GgufValue.Real.f32(500_000f)));
        m.add(new MetadataEntry("llama.attention.layer_norm_rms_epsilon", GgufValue.Real.f32(1e-5f)));
        m.add(u32("llama.attention.key_length", headDim));
        m.add(u32("llama.attention.value_length", headDim));
        if (experts > 0) {
            m.add(u32("llama.expert_count", experts));
            m.add(u32("llama.expert_used_count", expertsUsed));
        }
        m.add(u32("llama.vocab_size", vocab));
        m.add(u32("llama.rope.dimension_count", headDim));
        m.addAll(tokenizer.metadata(ChatTemplate.WITH_TOOLS));
        return m;
    }

    /** The file's layout: header bytes, tensor offsets and the file size. */
    public GgufWriter.Layout layout(SyntheticTokenizer tokenizer) {
        return GgufWriter.layout(metadata(tokenizer), tensors());
    }

    /** {@code general.size_label} as converters write it: parameters in billions (or millions), e.g. "70B". */
    String sizeLabel() {
        long p = parameters();
        return p >= 1_000_000_000L ? Math.round(p / 1e9) + "B" : Math.round(p / 1e6) + "M";
    }

    private static MetadataEntry str(String key, String v) {
        return new MetadataEntry(key, GgufValue.Str.of(v));
    }

    private static MetadataEntry u32(String key, long v) {
        return new MetadataEntry(key, GgufValue.Int.u32(v));
    }
}
