package dev.gguflens.imatrix;

import dev.gguflens.gguf.GgufFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An importance matrix read as llama-quantize reads it ({@code --imatrix FILE}, quantizers-imatrix.md §1.2
 * and §1.3): its entries with their values, the datasets, the chunk count, and whether any value is not
 * finite (which fails a run). Importance matrices are small (one value per column of each weight, per
 * expert), so every value is read at once.
 *
 * @param name           the path as given on the command line: it becomes {@code quantize.imatrix.file}
 * @param format         GGUF or the legacy {@code .dat} format
 * @param entries        the entries by weight name, in name order
 * @param datasets       {@code imatrix.datasets} (legacy: the one dataset name at the end of the file, if any)
 * @param chunkCount     {@code imatrix.chunk_count} (legacy: the chunk count at the end of the file, else 0)
 * @param chunkSize      {@code imatrix.chunk_size}, or -1 (legacy files do not say)
 * @param nonFiniteValue the first non-finite value, as C's {@code %f} prints it ({@code nan}, {@code -inf}), or null
 */
public record ImatrixFile(String name, ImatrixFormat format, SortedMap<String, ImatrixEntry> entries, List<String> datasets,
                          long chunkCount, long chunkSize, String nonFiniteValue) {

    public ImatrixFile {
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
        datasets = List.copyOf(datasets);
    }

    /** Reads {@code path}, naming it in the metadata as {@code path.toString()}. */
    public static ImatrixFile read(Path path) throws IOException, GgufFormatException {
        return read(path, path.toString());
    }

    /**
     * Reads {@code path} as llama-quantize does: as a GGUF imatrix when it starts with GGUF's magic, else in the
     * legacy format. {@code nameAsGiven} is what the user typed, written to {@code quantize.imatrix.file}. A format
     * error names the file and the problem in one line.
     */
    public static ImatrixFile read(Path path, String nameAsGiven) throws IOException, GgufFormatException {
        try {
            return isGguf(path) ? GgufImatrix.read(path, nameAsGiven) : LegacyImatrix.read(path, nameAsGiven);
        } catch (GgufFormatException e) {
            throw new GgufFormatException("imatrix file " + path + ": " + e.getMessage(), -1);
        }
    }

    /** Whether the file starts with GGUF's magic (a shorter file is not GGUF). */
    public static boolean isGguf(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException(path + " is a directory, not an imatrix file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(4), new byte[] {'G', 'G', 'U', 'F'});
        }
    }

    /**
     * The entries llama-quantize keeps with {@code --exclude-weights} (drop every entry whose name contains one of
     * {@code exclude}) and {@code --include-weights} (keep only those whose name contains one of {@code include}); an
     * empty list filters nothing. The non-finite check then covers the entries kept, as the library sees only those.
     */
    public ImatrixFile filtered(List<String> include, List<String> exclude) {
        if (include.isEmpty() && exclude.isEmpty()) {
            return this;
        }
        TreeMap<String, ImatrixEntry> kept = new TreeMap<>();
        entries.forEach((name, e) -> {
            boolean excluded = exclude.stream().anyMatch(name::contains);
            boolean included = include.isEmpty() || include.stream().anyMatch(name::contains);
            if (!excluded && included) {
                kept.put(name, e);
            }
        });
        return new ImatrixFile(name, format, kept, datasets, chunkCount, chunkSize, firstNonFinite(kept));
    }

    public int entriesCount() {
        return entries.size();
    }

    /** Each entry's number of values, by weight name. */
    public Map<String, Long> entrySizes() {
        Map<String, Long> sizes = new TreeMap<>();
        entries.forEach((k, v) -> sizes.put(k, (long) v.values().length));
        return sizes;
    }

    /** The entry for a weight, by its name. */
    public Optional<ImatrixEntry> entry(String weight) {
        return Optional.ofNullable(entries.get(weight));
    }

    /** The first non-finite value over the entries in name order, as C's {@code %f} prints it, or null. */
    static String firstNonFinite(Map<String, ImatrixEntry> entries) {
        for (ImatrixEntry e : entries.values()) {
            for (float v : e.values()) {
                if (!Float.isFinite(v)) {
                    return Float.isNaN(v) ? (Float.floatToRawIntBits(v) < 0 ? "-nan" : "nan") : (v > 0 ? "inf" : "-inf");
                }
            }
        }
        return null;
    }
}
