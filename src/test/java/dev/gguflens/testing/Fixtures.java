package dev.gguflens.testing;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** Small GGUF files written with gguflens' writer, tensor data all zeros. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Writes {@code path} with this metadata and these tensors; returns the path. */
    public static Path write(Path path, List<MetadataEntry> metadata, List<GgufWriter.TensorSpec> tensors) throws IOException {
        GgufWriter.write(path, GgufWriter.layout(metadata, tensors), (t, out) -> {
            ByteBuffer zeros = ByteBuffer.allocate(Math.toIntExact(t.bytes()));
            while (zeros.hasRemaining()) {
                out.write(zeros);
            }
        });
        return path;
    }

    public static MetadataEntry str(String key, String value) {
        return new MetadataEntry(key, GgufValue.Str.of(value));
    }

    public static MetadataEntry u32(String key, long value) {
        return new MetadataEntry(key, GgufValue.Int.u32(value));
    }

    public static GgufWriter.TensorSpec tensor(String name, GgmlType type, long... ne) {
        return new GgufWriter.TensorSpec(name, ne, type);
    }
}
