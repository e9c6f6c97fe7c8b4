package dev.gguflens.memory;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufValueType;
import dev.gguflens.gguf.MetadataEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A model's metadata built in memory for the memory tests: {@code general.architecture} and {@code {arch}.*} keys. */
final class Hparams {
    private final String arch;
    private final List<MetadataEntry> entries = new ArrayList<>();

    private Hparams(String arch) {
        this.arch = arch;
        entries.add(new MetadataEntry("general.architecture", GgufValue.Str.of(arch)));
    }

    static Hparams of(String arch) {
        return new Hparams(arch);
    }

    /** A dense transformer: context, width, layers, heads, KV heads, n_ff and a vocabulary of {@code vocab} tokens. */
    static Hparams transformer(String arch, long ctx, long embd, long layers, long heads, long kvHeads, long ff, int vocab) {
        return of(arch).u32("context_length", ctx).u32("embedding_length", embd).u32("block_count", layers)
                .u32("attention.head_count", heads).u32("attention.head_count_kv", kvHeads).u32("feed_forward_length", ff).vocab(vocab);
    }

    Hparams u32(String key, long value) {
        entries.add(new MetadataEntry(arch + "." + key, GgufValue.Int.u32(value)));
        return this;
    }

    Hparams array(String key, long... values) {
        entries.add(new MetadataEntry(arch + "." + key, GgufArray.ofUint32(values)));
        return this;
    }

    Hparams flags(String key, boolean... values) {
        List<GgufValue> v = new ArrayList<>();
        for (boolean b : values) {
            v.add(GgufValue.Bool.of(b));
        }
        entries.add(new MetadataEntry(arch + "." + key, GgufArray.of(GgufValueType.BOOL, v)));
        return this;
    }

    Hparams vocab(int tokens) {
        entries.add(new MetadataEntry("tokenizer.ggml.tokens", GgufArray.ofStrings(Collections.nCopies(tokens, "t"))));
        return this;
    }

    List<MetadataEntry> metadata() {
        return List.copyOf(entries);
    }

    ModelDims dims() throws GgufFormatException {
        return ModelDims.of(metadata(), List.of());
    }
}
