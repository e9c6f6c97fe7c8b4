package dev.gguflens.plan;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.MetadataEntry;
import java.util.List;
import java.util.Optional;

/**
 * The hyperparameters llama-quantize's type rules consult, read from the metadata as the model
 * loader reads them (llama-quantize-rules.md §3 step 2 and §3.1).
 *
 * @param architecture {@code general.architecture}
 * @param layerCount   {@code n_layer_all}: {@code {arch}.block_count}, MTP/NextN layers included
 * @param nextnLayers  {@code {arch}.nextn_predict_layers}, 0 when absent
 * @param headCount    {@code n_head(0)}: {@code {arch}.attention.head_count}, layer 0 of a per-layer array, 0 when absent
 * @param headCountKv  {@code n_head_kv(0)}: {@code {arch}.attention.head_count_kv}, layer 0; defaults to headCount
 * @param expertCount  {@code {arch}.expert_count}, 0 when absent
 */
public record ModelFacts(String architecture, int layerCount, long nextnLayers, long headCount, long headCountKv, long expertCount) {

    /** Reads the facts; a key the rules need that is missing (architecture, block count) or of the wrong type is a format error. */
    public static ModelFacts of(List<MetadataEntry> metadata) throws GgufFormatException {
        Keys keys = new Keys(metadata);
        String arch = keys.string("general.architecture")
                .orElseThrow(() -> new GgufFormatException("key 'general.architecture' is missing: llama-quantize cannot load the model", -1));
        long blocks = keys.integer(arch + ".block_count", false)
                .orElseThrow(() -> new GgufFormatException("key '" + arch + ".block_count' is missing: llama-quantize cannot load the model", -1));
        if (blocks > Integer.MAX_VALUE) {
            throw new GgufFormatException("key '" + arch + ".block_count' is " + blocks + ", too many layers", keys.offset(arch + ".block_count"));
        }
        long nextn = keys.integer(arch + ".nextn_predict_layers", false).orElse(0L);
        long heads = keys.integer(arch + ".attention.head_count", true).orElse(0L);
        long kvHeads = keys.integer(arch + ".attention.head_count_kv", true).orElse(heads);
        long experts = keys.integer(arch + ".expert_count", false).orElse(0L);
        return new ModelFacts(arch, (int) blocks, nextn, heads, kvHeads, experts);
    }

    /** {@code n_gqa}: heads per KV head (integer division), 0 without KV heads. */
    public long gqa() {
        return headCountKv == 0 ? 0 : headCount / headCountKv;
    }

    /**
     * Whether the loader would type the model {@code LLM_TYPE_70B} (§3.1), the only model type the rules
     * read. n_layer here is the trunk: block count minus NextN layers.
     */
    public boolean is70B() {
        long trunk = layerCount - nextnLayers;
        return switch (architecture) {
            case "llama" -> expertCount != 8 && trunk == 80 && headCount != headCountKv;
            case "deci", "qwen2" -> trunk == 80;
            case "jais2" -> trunk == 68;
            default -> false;
        };
    }

    public boolean isFalcon() {
        return architecture.equals("falcon");
    }

    /** Typed look-ups with one-line errors naming the key and its byte offset. */
    private record Keys(List<MetadataEntry> metadata) {
        Optional<MetadataEntry> entry(String key) {
            for (MetadataEntry e : metadata) {
                if (e.key().equals(key)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }

        long offset(String key) {
            return entry(key).map(MetadataEntry::offset).orElse(-1L);
        }

        Optional<String> string(String key) throws GgufFormatException {
            Optional<MetadataEntry> e = entry(key);
            if (e.isEmpty()) {
                return Optional.empty();
            }
            if (e.get().value() instanceof GgufValue.Str s) {
                return Optional.of(s.text());
            }
            throw wrongType(e.get(), "a STRING");
        }

        /** A non-negative integer; with {@code perLayer}, an integer array gives its first element (layer 0). */
        Optional<Long> integer(String key, boolean perLayer) throws GgufFormatException {
            Optional<MetadataEntry> found = entry(key);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            MetadataEntry e = found.get();
            GgufValue v = e.value();
            if (perLayer && v instanceof GgufArray a && a.elementType().isInteger()) {
                if (a.count() == 0) {
                    throw new GgufFormatException("key '" + key + "' is an empty array: no value for layer 0", e.offset());
                }
                v = a.get(0);
            }
            if (v instanceof GgufValue.Int i) {
                if (i.bits() < 0) {
                    throw new GgufFormatException("key '" + key + "' is " + i + ", not a count", e.offset());
                }
                return Optional.of(i.bits());
            }
            throw wrongType(e, perLayer ? "an integer or an array of integers" : "an integer");
        }

        private static GgufFormatException wrongType(MetadataEntry e, String expected) {
            String actual = e.value() instanceof GgufArray a ? "an ARRAY of " + a.elementType() : e.value().type().toString();
            return new GgufFormatException("key '" + e.key() + "' must be " + expected + " but is " + actual, e.offset());
        }
    }
}
