package dev.gguflens.testing;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Importance-matrix files for tests, written byte by byte as llama.cpp's tools write them: the GGUF imatrix
 * (per weight {@code W.in_sum2} of {@code [ne0, slices]} and {@code W.counts} of {@code [1, slices]}, F32)
 * and the legacy {@code .dat} format (quantizers-imatrix.md §1.2, §1.3).
 */
public final class ImatrixFiles {
    private ImatrixFiles() {
    }

    /** One weight's sums ({@code slices x rowLength}, slice after slice) and one count per slice. */
    public record Entry(float[] sums, float[] counts) {
        /** An ordinary weight: one slice, counted once, so its values are the sums themselves. */
        public static Entry of(float... sums) {
            return new Entry(sums, new float[] {1});
        }
    }

    /** The standard keys of a GGUF imatrix. */
    public static List<MetadataEntry> metadata(String dataset, long chunks) {
        return List.of(
                new MetadataEntry("general.type", GgufValue.Str.of("imatrix")),
                new MetadataEntry("imatrix.datasets", GgufArray.ofStrings(List.of(dataset))),
                new MetadataEntry("imatrix.chunk_count", GgufValue.Int.u32(chunks)),
                new MetadataEntry("imatrix.chunk_size", GgufValue.Int.u32(512)));
    }

    /** A GGUF imatrix with the standard keys and these entries, tensors of type {@code type} (F32 as llama.cpp writes). */
    public static Path gguf(Path out, Map<String, Entry> entries) throws Exception {
        return gguf(out, metadata("test-data", 3), entries, GgmlType.F32);
    }

    public static Path gguf(Path out, List<MetadataEntry> metadata, Map<String, Entry> entries, GgmlType type) throws Exception {
        List<GgufWriter.TensorSpec> specs = new ArrayList<>();
        Map<String, float[]> data = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            int slices = e.counts().length;
            specs.add(new GgufWriter.TensorSpec(name + ".in_sum2", new long[] {e.sums().length / slices, slices}, type));
            specs.add(new GgufWriter.TensorSpec(name + ".counts", new long[] {1, slices}, type));
            data.put(name + ".in_sum2", e.sums());
            data.put(name + ".counts", e.counts());
        });
        GgufWriter.write(out, GgufWriter.layout(metadata, specs), (t, ch) -> {
            float[] v = data.get(t.name());
            // An F16 tensor gets 2 bytes per value (zeros will do: only its type is under test).
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.bytes())).order(ByteOrder.LITTLE_ENDIAN);
            if (t.type().equals(GgmlType.F32)) {
                for (float f : v) {
                    b.putFloat(f);
                }
            }
            b.rewind();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
        return out;
    }

    /**
     * A legacy imatrix: per entry its name, {@code ncall} and the stored values (llama-imatrix stored mean x ncall);
     * then, when {@code dataset} is not null, the chunk count and the dataset name.
     */
    public static Path legacy(Path out, Map<String, float[]> stored, int ncall, Integer chunks, String dataset) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int32(b, stored.size());
        for (Map.Entry<String, float[]> e : stored.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            int32(b, name.length);
            b.write(name);
            int32(b, ncall);
            int32(b, e.getValue().length);
            for (float f : e.getValue()) {
                int32(b, Float.floatToRawIntBits(f));
            }
        }
        if (dataset != null) {
            int32(b, chunks);
            byte[] d = dataset.getBytes(StandardCharsets.UTF_8);
            int32(b, d.length);
            b.write(d);
        }
        Files.write(out, b.toByteArray());
        return out;
    }

    public static void int32(ByteArrayOutputStream b, int v) {
        b.write(v);
        b.write(v >>> 8);
        b.write(v >>> 16);
        b.write(v >>> 24);
    }
}
