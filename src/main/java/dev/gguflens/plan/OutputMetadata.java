package dev.gguflens.plan;

import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.MetadataEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The metadata llama-quantize writes (llama-quantize-rules.md §8.1 and §8.2): the input's keys in order,
 * then each key it sets, where setting a key that exists moves it to the end.
 */
final class OutputMetadata {
    /** {@code GGML_QNT_VERSION}. */
    static final long QUANTIZATION_VERSION = 2;
    /** {@code llama_model_kv_override::val_str} holds 127 bytes and a NUL. */
    private static final int MAX_OVERRIDE_STRING = 127;

    private final List<MetadataEntry> entries;

    private OutputMetadata(List<MetadataEntry> input) {
        this.entries = new ArrayList<>(input.size() + 6);
        for (MetadataEntry e : input) {
            entries.add(new MetadataEntry(e.key(), e.value()));
        }
    }

    static List<MetadataEntry> of(List<MetadataEntry> input, LlamaFileType ftype, ImatrixMode imatrix) {
        OutputMetadata m = new OutputMetadata(input);
        m.set("general.quantization_version", GgufValue.Int.u32(QUANTIZATION_VERSION));
        m.set("general.file_type", GgufValue.Int.u32(ftype.id()));
        m.remove("split.no");
        m.remove("split.count");
        m.remove("split.tensors.count");
        // llama-quantize passes the imatrix keys as KV overrides: ints become u32, strings are cut to 127 bytes.
        if (imatrix instanceof ImatrixMode.FromFile(ImatrixFile f) && imatrix.present()) {
            m.set("quantize.imatrix.file", truncated(f.name()));
            if (!f.datasets().isEmpty()) {
                m.set("quantize.imatrix.dataset", truncated(f.datasets().getFirst()));
            }
            m.set("quantize.imatrix.entries_count", GgufValue.Int.u32(f.entriesCount()));
            // The CLI keeps the chunk count in an int and adds the key only when it is positive.
            if ((int) f.chunkCount() > 0) {
                m.set("quantize.imatrix.chunks_count", GgufValue.Int.u32((int) f.chunkCount()));
            }
        }
        return List.copyOf(m.entries);
    }

    /** {@code gguf_set_*}: an existing key is removed and the new entry appended. */
    private void set(String key, GgufValue value) {
        remove(key);
        entries.add(new MetadataEntry(key, value));
    }

    private void remove(String key) {
        entries.removeIf(e -> e.key().equals(key));
    }

    private static GgufValue.Str truncated(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new GgufValue.Str(b.length <= MAX_OVERRIDE_STRING ? b : Arrays.copyOf(b, MAX_OVERRIDE_STRING));
    }
}
