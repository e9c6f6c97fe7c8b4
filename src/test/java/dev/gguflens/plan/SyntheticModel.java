package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model that exists only as a header: written with the writer, the header bytes followed by a
 * sparse hole to the layout's file size, so it reads as a valid GGUF file of any size.
 */
final class SyntheticModel {
    private final List<MetadataEntry> metadata = new ArrayList<>();
    private final List<GgufWriter.TensorSpec> tensors = new ArrayList<>();

    /** The keys the rules read: architecture, block count, head counts (F16 source). */
    static SyntheticModel of(String arch, int layers, long heads, long kvHeads) {
        return new SyntheticModel()
                .key("general.architecture", GgufValue.Str.of(arch))
                .key("general.file_type", GgufValue.Int.u32(1))
                .key(arch + ".block_count", GgufValue.Int.u32(layers))
                .key(arch + ".attention.head_count", GgufValue.Int.u32(heads))
                .key(arch + ".attention.head_count_kv", GgufValue.Int.u32(kvHeads));
    }

    SyntheticModel key(String key, GgufValue value) {
        metadata.removeIf(e -> e.key().equals(key));
        metadata.add(new MetadataEntry(key, value));
        return this;
    }

    SyntheticModel tensor(String name, GgmlType type, long... ne) {
        tensors.add(new GgufWriter.TensorSpec(name, ne, type));
        return this;
    }

    /** An F16 weight. */
    SyntheticModel weight(String name, long... ne) {
        return tensor(name, GgmlType.F16, ne);
    }

    /** An F32 norm of {@code n} elements. */
    SyntheticModel norm(String name, long n) {
        return tensor(name, GgmlType.F32, n);
    }

    Path write(Path dir, String fileName) throws Exception {
        GgufWriter.Layout layout = GgufWriter.layout(metadata, tensors);
        Path out = dir.resolve(fileName);
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.write(layout.header());
            f.setLength(layout.fileSize());
        }
        return out;
    }

    /** Writes the file, reads it back and plans it. */
    Plan plan(Path dir, QuantizeOptions options) throws Exception {
        try (GgufFile f = GgufReader.open(write(dir, "model.gguf"))) {
            return Planner.plan(f, options);
        }
    }

    /** The planned type of every tensor, by name, in output order. */
    static Map<String, GgmlType> types(Plan plan) {
        if (!plan.ok()) {
            throw new AssertionError("plan failed: " + plan.message());
        }
        Map<String, GgmlType> out = new LinkedHashMap<>();
        plan.tensors().forEach(t -> out.put(t.name(), t.targetType()));
        return out;
    }
}
