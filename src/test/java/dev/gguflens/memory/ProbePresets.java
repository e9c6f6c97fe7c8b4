package dev.gguflens.memory;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.MetadataEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata of the models {@code kv-probe gen custom:...} writes (testdata/memory/kv-probe-presets.diff), rebuilt
 * in memory from the preset string: the memory arithmetic reads only metadata, so the tests need not carry the
 * models themselves. Mirrors {@code cmd_gen}: defaults n_embd 256, 4 layers, 8 heads, 2 KV heads, n_ff 512, 512
 * tokens, context 32768; {@code hd} sets key and value length; {@code X} experts of which {@code XU} are used
 * replace the feed-forward tensors (Mixtral-style, each expert n_ff wide); gemma3 gets a 512-token window; mamba gets
 * {@code d_inner = 2 n_embd}, {@code d_conv} 4, {@code d_state = F}, {@code dt_rank} 16 and no attention keys.
 */
final class ProbePresets {
    private ProbePresets() {
    }

    static List<MetadataEntry> metadata(String preset) {
        if (!preset.startsWith("custom:")) {
            throw new IllegalArgumentException("not a custom preset: " + preset);
        }
        Map<String, String> p = new HashMap<>(Map.of("arch", "llama", "E", "256", "L", "4", "H", "8", "HKV", "2", "F", "512", "V", "512",
                "ctx", "32768", "hd", "0"));
        for (String kv : preset.substring("custom:".length()).split(",")) {
            String[] parts = kv.split("=", 2);
            p.put(parts[0], parts[1]);
        }
        String a = p.get("arch");
        long e = Long.parseLong(p.get("E"));
        long h = Long.parseLong(p.get("H"));
        long hd = Long.parseLong(p.get("hd"));
        long hk = hd != 0 ? hd : e / h;
        List<MetadataEntry> m = new ArrayList<>();
        m.add(new MetadataEntry("general.architecture", GgufValue.Str.of(a)));
        m.add(u32(a + ".context_length", Long.parseLong(p.get("ctx"))));
        m.add(u32(a + ".embedding_length", e));
        m.add(u32(a + ".block_count", Long.parseLong(p.get("L"))));
        if (a.equals("mamba")) {
            m.add(u32(a + ".ssm.conv_kernel", 4));
            m.add(u32(a + ".ssm.inner_size", 2 * e));
            m.add(u32(a + ".ssm.state_size", Long.parseLong(p.get("F"))));
            m.add(u32(a + ".ssm.time_step_rank", 16));
        } else {
            m.add(u32(a + ".feed_forward_length", Long.parseLong(p.get("F"))));
            m.add(u32(a + ".attention.head_count", h));
            m.add(u32(a + ".attention.head_count_kv", Long.parseLong(p.get("HKV"))));
            m.add(u32(a + ".rope.dimension_count", hk));
            if (hd != 0) {
                m.add(u32(a + ".attention.key_length", hk));
                m.add(u32(a + ".attention.value_length", hk));
            }
            if (Long.parseLong(p.getOrDefault("X", "0")) > 0) {
                m.add(u32(a + ".expert_count", Long.parseLong(p.get("X"))));
                m.add(u32(a + ".expert_used_count", Long.parseLong(p.get("XU"))));
            }
            if (a.equals("gemma3")) {
                m.add(u32(a + ".attention.sliding_window", 512));
            }
        }
        int vocab = Integer.parseInt(p.get("V"));
        m.add(new MetadataEntry("tokenizer.ggml.tokens", GgufArray.ofStrings(Collections.nCopies(vocab, "t"))));
        return m;
    }

    private static MetadataEntry u32(String key, long value) {
        return new MetadataEntry(key, GgufValue.Int.u32(value));
    }
}
