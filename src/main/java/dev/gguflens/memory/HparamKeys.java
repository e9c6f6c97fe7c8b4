package dev.gguflens.memory;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.MetadataEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Typed look-ups of one architecture's hyperparameter keys ({@code {arch}.KEY}), read as llama.cpp's model
 * loader reads them ({@code llama_model_loader::get_key}, {@code get_key_or_arr}, {@code get_arr}); a key of
 * the wrong type is a format error naming the key and its byte offset.
 */
final class HparamKeys {
    private final String arch;
    private final Map<String, MetadataEntry> byKey = new HashMap<>();

    HparamKeys(String arch, List<MetadataEntry> metadata) {
        this.arch = arch;
        for (MetadataEntry e : metadata) {
            byKey.putIfAbsent(e.key(), e);
        }
    }

    /** The architecture whose keys these are. */
    String arch() {
        return arch;
    }

    /** Whether {@code {arch}.name} is present. */
    boolean has(String name) {
        return byKey.containsKey(arch + "." + name);
    }

    /** The entry of a full key name, or null. */
    MetadataEntry entry(String fullKey) {
        return byKey.get(fullKey);
    }

    /** {@code {arch}.name} as a non-negative integer, empty when absent. */
    OptionalLong integer(String name) throws GgufFormatException {
        MetadataEntry e = byKey.get(arch + "." + name);
        if (e == null) {
            return OptionalLong.empty();
        }
        if (e.value() instanceof GgufValue.Int i && i.bits() >= 0) {
            return OptionalLong.of(i.bits());
        }
        throw wrongType(e, "a non-negative integer");
    }

    /** {@code {arch}.name} as an integer, or {@code fallback} when absent. */
    long integer(String name, long fallback) throws GgufFormatException {
        OptionalLong v = integer(name);
        return v.isPresent() ? v.getAsLong() : fallback;
    }

    /** A required {@code {arch}.name}: its absence is a format error, as llama.cpp's loader fails on it. */
    long required(String name) throws GgufFormatException {
        OptionalLong v = integer(name);
        if (v.isEmpty()) {
            throw new GgufFormatException("key '" + arch + "." + name + "' is missing: llama.cpp cannot load the model", -1);
        }
        return v.getAsLong();
    }

    /**
     * {@code get_key_or_arr}: one value for every layer, or an array with one value per layer; {@code fallback}
     * (copied) when absent. An array of another length is an error, as llama.cpp refuses it.
     */
    long[] perLayer(String name, int layers, long[] fallback) throws GgufFormatException {
        MetadataEntry e = byKey.get(arch + "." + name);
        if (e == null) {
            return fallback.clone();
        }
        if (e.value() instanceof GgufArray a) {
            if (!a.elementType().isInteger()) {
                throw wrongType(e, "an integer or an array of integers");
            }
            if (a.count() != layers) {
                throw new GgufFormatException("key '" + e.key() + "' has " + a.count() + " values for " + layers
                        + " layers: llama.cpp cannot load the model", e.offset());
            }
            long[] v = a.toLongs();
            for (long x : v) {
                if (x < 0) {
                    throw wrongType(e, "an array of non-negative integers");
                }
            }
            return v;
        }
        long[] out = new long[layers];
        java.util.Arrays.fill(out, integer(name).orElseThrow());
        return out;
    }

    /**
     * {@code get_arr} into a per-layer flag array: an array of booleans or integers (non-zero is set), its first
     * {@code layers} elements; null when absent or not an array (the scalar form is a different key's meaning).
     */
    boolean[] flags(String name, int layers) throws GgufFormatException {
        MetadataEntry e = byKey.get(arch + "." + name);
        if (e == null || !(e.value() instanceof GgufArray a)) {
            return null;
        }
        boolean[] out = new boolean[layers];
        int i = 0;
        for (GgufValue v : a) {
            if (i >= layers) {
                break;
            }
            out[i++] = switch (v) {
                case GgufValue.Bool b -> b.value();
                case GgufValue.Int n -> n.bits() != 0;
                default -> throw wrongType(e, "an array of booleans or integers");
            };
        }
        return out;
    }

    private static GgufFormatException wrongType(MetadataEntry e, String expected) {
        String actual = e.value() instanceof GgufArray a ? "an ARRAY of " + a.elementType() : e.value().type() + " " + e.value();
        return new GgufFormatException("key '" + e.key() + "' must be " + expected + " but is " + actual, e.offset());
    }
}
