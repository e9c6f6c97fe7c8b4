package dev.gguflens.testing;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufValueType;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Split sets written as llama.cpp's gguf-split writes them (tools/gguf-split/gguf-split.cpp): part i is a
 * complete GGUF file named {@code PREFIX-%05d-of-%05d.gguf} (i + 1, count) holding consecutive tensors of
 * the source in its order, each padded to 32 bytes; the first part holds the source's metadata, then
 * every part {@code split.no} (UINT16 i), {@code split.tensors.count} (INT32, all tensors) and
 * {@code split.count} (UINT16): gguf-split sets the count last, once it knows it, and setting a key
 * again moves it to the end.
 */
public final class SplitSets {
    private SplitSets() {
    }

    /** The name of part {@code no} (0-based) of {@code count}. */
    public static String name(String prefix, int no, int count) {
        return String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", prefix, no + 1, count);
    }

    /** The split keys of part {@code no} as gguf-split writes them. */
    public static List<MetadataEntry> splitKeys(int no, int count, int tensors) {
        return List.of(new MetadataEntry("split.no", new GgufValue.Int(GgufValueType.UINT16, no)),
                new MetadataEntry("split.tensors.count", GgufValue.Int.i32(tensors)),
                new MetadataEntry("split.count", new GgufValue.Int(GgufValueType.UINT16, count)));
    }

    /** Splits {@code source} into parts of {@code tensorsPerPart[i]} tensors each; returns the parts' paths. */
    public static List<Path> write(Path source, Path dir, String prefix, int... tensorsPerPart) throws IOException, GgufFormatException {
        return write(source, dir, prefix, (i, md) -> md, tensorsPerPart);
    }

    /**
     * As {@link #write(Path, Path, String, int...)}, with {@code edit} given each part's index and metadata as
     * gguf-split would write it, returning the metadata to write (to make a part that does not fit).
     */
    public static List<Path> write(Path source, Path dir, String prefix, BiFunction<Integer, List<MetadataEntry>, List<MetadataEntry>> edit,
                                   int... tensorsPerPart) throws IOException, GgufFormatException {
        try (GgufFile src = GgufReader.open(source)) {
            int total = src.tensors().size();
            int count = tensorsPerPart.length;
            Map<String, TensorInfo> byName = new HashMap<>();
            src.tensors().forEach(t -> byName.put(t.name(), t));
            List<Path> paths = new ArrayList<>();
            int next = 0;
            for (int i = 0; i < count; i++) {
                List<MetadataEntry> md = new ArrayList<>();
                if (i == 0) {
                    for (MetadataEntry e : src.metadata()) {
                        md.add(new MetadataEntry(e.key(), e.value()));
                    }
                }
                md.addAll(splitKeys(i, count, total));
                List<GgufWriter.TensorSpec> specs = new ArrayList<>();
                for (int k = 0; k < tensorsPerPart[i]; k++) {
                    specs.add(GgufWriter.TensorSpec.of(src.tensors().get(next++)));
                }
                Path path = dir.resolve(name(prefix, i, count));
                GgufWriter.write(path, GgufWriter.layout(edit.apply(i, md), specs), (t, out) -> {
                    ByteBuffer b = src.tensorData(byName.get(t.name())).asByteBuffer();
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                });
                paths.add(path);
            }
            if (next != total) {
                throw new IllegalArgumentException("parts of " + java.util.Arrays.toString(tensorsPerPart) + " tensors do not add up to "
                        + total);
            }
            return paths;
        }
    }
}
