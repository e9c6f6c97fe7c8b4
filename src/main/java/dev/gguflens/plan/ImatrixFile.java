package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufValueType;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An importance matrix in llama.cpp's GGUF format, reduced to what llama-quantize uses for types and
 * metadata: the entries (tensor name to number of values), the datasets, the chunk count, and whether
 * any value is not finite (which fails the run).
 *
 * <p>The format: keys {@code imatrix.datasets} (array of strings), {@code imatrix.chunk_count} (u32),
 * {@code imatrix.chunk_size}; for each weight {@code W} two F32 tensors, {@code W.in_sum2} (the sums, one
 * row per expert) and {@code W.counts} (one count per row). The value llama-quantize passes on is
 * {@code sum / count} per row, or 1 where the count is 0.
 *
 * @param name           the path as given on the command line: it becomes {@code quantize.imatrix.file}
 * @param entrySizes     each entry's number of values (in_sum2's element count), by weight name
 * @param datasets       {@code imatrix.datasets}
 * @param chunkCount     {@code imatrix.chunk_count}
 * @param nonFiniteValue a non-finite value as C's {@code %f} prints it ({@code nan}, {@code -inf}), or null
 */
public record ImatrixFile(String name, Map<String, Long> entrySizes, List<String> datasets, long chunkCount, String nonFiniteValue) {
    private static final String SUMS = ".in_sum2";
    private static final String COUNTS = ".counts";

    public ImatrixFile {
        entrySizes = Collections.unmodifiableMap(new TreeMap<>(entrySizes));
        datasets = List.copyOf(datasets);
    }

    /** Reads {@code path}, naming it in the metadata as {@code path.toString()}. */
    public static ImatrixFile read(Path path) throws IOException, GgufFormatException {
        return read(path, path.toString());
    }

    /** Reads {@code path}; {@code nameAsGiven} is what the user typed, written to {@code quantize.imatrix.file}. */
    public static ImatrixFile read(Path path, String nameAsGiven) throws IOException, GgufFormatException {
        try (GgufFile f = GgufReader.open(path)) {
            return of(f, nameAsGiven);
        } catch (GgufFormatException e) {
            throw new GgufFormatException("imatrix file " + path + ": " + e.getMessage(), -1);
        }
    }

    static ImatrixFile of(GgufFile f, String nameAsGiven) throws GgufFormatException {
        if (f.tensors().isEmpty()) {
            throw new GgufFormatException("no data in the imatrix file (no tensors); is it an imatrix in GGUF format?", -1);
        }
        List<String> datasets = datasets(f);
        MetadataEntry chunkCount = required(f, "imatrix.chunk_count");
        required(f, "imatrix.chunk_size");
        if (!(chunkCount.value() instanceof GgufValue.Int c) || c.type() != GgufValueType.UINT32) {
            throw new GgufFormatException("key 'imatrix.chunk_count' must be a UINT32 but is " + chunkCount.value().type(), chunkCount.offset());
        }

        Map<String, TensorInfo> sums = new TreeMap<>();
        Map<String, TensorInfo> counts = new TreeMap<>();
        for (TensorInfo t : f.tensors()) {
            if (t.name().endsWith(SUMS) && t.name().length() > SUMS.length()) {
                sums.put(t.name().substring(0, t.name().length() - SUMS.length()), t);
            } else if (t.name().endsWith(COUNTS) && t.name().length() > COUNTS.length()) {
                counts.put(t.name().substring(0, t.name().length() - COUNTS.length()), t);
            }
        }
        Map<String, Long> sizes = new TreeMap<>();
        String nonFinite = null;
        for (String weight : union(sums, counts)) {
            TensorInfo s = sums.get(weight);
            TensorInfo n = counts.get(weight);
            if (s == null || n == null) {
                throw new GgufFormatException("mismatched sums and counts for " + weight, (s == null ? n : s).infoOffset());
            }
            requireF32(s);
            requireF32(n);
            sizes.put(weight, s.elements());
            if (nonFinite == null) {
                nonFinite = firstNonFinite(f, s, n);
            }
        }
        return new ImatrixFile(nameAsGiven, sizes, datasets, c.bits(), nonFinite);
    }

    public int entriesCount() {
        return entrySizes.size();
    }

    private static List<String> datasets(GgufFile f) throws GgufFormatException {
        MetadataEntry e = required(f, "imatrix.datasets");
        if (!(e.value() instanceof GgufArray a) || a.elementType() != GgufValueType.STRING) {
            throw new GgufFormatException("key 'imatrix.datasets' must be an ARRAY of STRING", e.offset());
        }
        List<String> out = new ArrayList<>();
        for (GgufValue v : a) {
            out.add(((GgufValue.Str) v).text());
        }
        return out;
    }

    private static MetadataEntry required(GgufFile f, String key) throws GgufFormatException {
        return f.entry(key).orElseThrow(() -> new GgufFormatException("missing imatrix metadata: no key '" + key + "'", -1));
    }

    private static void requireF32(TensorInfo t) throws GgufFormatException {
        if (!t.type().equals(GgmlType.F32)) {
            throw new GgufFormatException("imatrix tensor '" + t.name() + "' must be F32 but is " + t.type(), t.infoOffset());
        }
    }

    private static List<String> union(Map<String, TensorInfo> a, Map<String, TensorInfo> b) {
        TreeMap<String, Boolean> all = new TreeMap<>();
        a.keySet().forEach(k -> all.put(k, true));
        b.keySet().forEach(k -> all.put(k, true));
        return new ArrayList<>(all.keySet());
    }

    /** The first non-finite {@code sum / count} (1 where the count is not positive), as %f prints it, or null. */
    private static String firstNonFinite(GgufFile f, TensorInfo sums, TensorInfo counts) throws GgufFormatException {
        long rowLength = sums.rowLength();
        long rows = sums.rows();
        if (counts.elements() < rows) {
            throw new GgufFormatException("imatrix tensor '" + counts.name() + "' has " + counts.elements() + " counts for "
                    + rows + " rows of '" + sums.name() + "'", counts.infoOffset());
        }
        ValueLayout.OfFloat layout = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(f.byteOrder());
        MemorySegment s = f.tensorData(sums);
        MemorySegment n = f.tensorData(counts);
        for (long j = 0; j < rows; j++) {
            float count = n.getAtIndex(layout, j);
            if (!(count > 0.0f)) {
                continue;
            }
            for (long i = 0; i < rowLength; i++) {
                float v = s.getAtIndex(layout, j * rowLength + i) / count;
                if (!Float.isFinite(v)) {
                    return Float.isNaN(v) ? (Float.floatToRawIntBits(v) < 0 ? "-nan" : "nan") : (v > 0 ? "inf" : "-inf");
                }
            }
        }
        return null;
    }
}
