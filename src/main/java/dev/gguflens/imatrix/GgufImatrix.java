package dev.gguflens.imatrix;

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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads llama.cpp's GGUF imatrix as llama-quantize's {@code load_imatrix} does (quantizers-imatrix.md §1.2):
 * the three {@code imatrix.*} keys must be there; tensors pair up by name as {@code W.in_sum2} and
 * {@code W.counts} (others are ignored); each slice's value is {@code sum / count}, one f32 division per
 * value, or 1 where the count is not positive.
 */
final class GgufImatrix {
    private static final String SUMS = ".in_sum2";
    private static final String COUNTS = ".counts";

    private GgufImatrix() {
    }

    static ImatrixFile read(Path path, String nameAsGiven) throws IOException, GgufFormatException {
        try (GgufFile f = GgufReader.open(path)) {
            return of(f, nameAsGiven);
        }
    }

    static ImatrixFile of(GgufFile f, String nameAsGiven) throws GgufFormatException {
        if (f.tensors().isEmpty()) {
            throw new GgufFormatException("no data in the imatrix file (no tensors); is it an imatrix in GGUF format?", -1);
        }
        List<String> datasets = datasets(f);
        long chunkCount = u32(f, "imatrix.chunk_count");
        MetadataEntry size = required(f, "imatrix.chunk_size");
        long chunkSize = size.value() instanceof GgufValue.Int c ? c.bits() : -1;

        Map<String, TensorInfo> sums = new TreeMap<>();
        Map<String, TensorInfo> counts = new TreeMap<>();
        for (TensorInfo t : f.tensors()) {
            if (t.name().endsWith(SUMS) && t.name().length() > SUMS.length()) {
                sums.put(t.name().substring(0, t.name().length() - SUMS.length()), t);
            } else if (t.name().endsWith(COUNTS) && t.name().length() > COUNTS.length()) {
                counts.put(t.name().substring(0, t.name().length() - COUNTS.length()), t);
            }
        }
        TreeSet<String> weights = new TreeSet<>(sums.keySet());
        weights.addAll(counts.keySet());
        TreeMap<String, ImatrixEntry> entries = new TreeMap<>();
        for (String weight : weights) {
            TensorInfo s = sums.get(weight);
            TensorInfo n = counts.get(weight);
            if (s == null || n == null) {
                throw new GgufFormatException("mismatched sums and counts for " + weight + " (" + (s == null ? "no " + weight + SUMS
                        : "no " + weight + COUNTS) + ")", (s == null ? n : s).infoOffset());
            }
            requireF32(s);
            requireF32(n);
            entries.put(weight, entry(f, weight, s, n));
        }
        return new ImatrixFile(nameAsGiven, ImatrixFormat.GGUF, entries, datasets, chunkCount, chunkSize,
                ImatrixFile.firstNonFinite(entries));
    }

    private static ImatrixEntry entry(GgufFile f, String weight, TensorInfo sums, TensorInfo counts) throws GgufFormatException {
        long rowLength = sums.rowLength();
        long rows = sums.rows();
        if (counts.elements() < rows) {
            throw new GgufFormatException("imatrix tensor '" + counts.name() + "' has " + counts.elements() + " counts for "
                    + rows + " rows of '" + sums.name() + "'", counts.infoOffset());
        }
        if (sums.elements() > Integer.MAX_VALUE - 8) {
            throw new GgufFormatException("imatrix tensor '" + sums.name() + "' has " + sums.elements()
                    + " values, more than an importance matrix entry can hold", sums.infoOffset());
        }
        ValueLayout.OfFloat layout = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(f.byteOrder());
        MemorySegment s = f.tensorData(sums);
        MemorySegment n = f.tensorData(counts);
        float[] values = new float[Math.toIntExact(sums.elements())];
        float[] perSlice = new float[Math.toIntExact(rows)];
        for (int j = 0; j < rows; j++) {
            float count = n.getAtIndex(layout, j);
            perSlice[j] = count;
            int base = Math.toIntExact(j * rowLength);
            for (int i = 0; i < rowLength; i++) {
                // A slice without a count (an expert no token reached) gets weight 1 throughout, as llama-quantize gives it.
                values[base + i] = count > 0.0f ? s.getAtIndex(layout, base + i) / count : 1.0f;
            }
        }
        return new ImatrixEntry(weight, values, Math.toIntExact(rowLength), perSlice);
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

    private static long u32(GgufFile f, String key) throws GgufFormatException {
        MetadataEntry e = required(f, key);
        if (!(e.value() instanceof GgufValue.Int c) || c.type() != GgufValueType.UINT32) {
            throw new GgufFormatException("key '" + key + "' must be a UINT32 but is " + e.value().type(), e.offset());
        }
        return c.bits();
    }

    private static MetadataEntry required(GgufFile f, String key) throws GgufFormatException {
        return f.entry(key).orElseThrow(() -> new GgufFormatException("missing imatrix metadata: no key '" + key + "'", -1));
    }

    private static void requireF32(TensorInfo t) throws GgufFormatException {
        if (!t.type().equals(GgmlType.F32)) {
            throw new GgufFormatException("imatrix tensor '" + t.name() + "' must be F32 but is " + t.type(), t.infoOffset());
        }
    }
}
