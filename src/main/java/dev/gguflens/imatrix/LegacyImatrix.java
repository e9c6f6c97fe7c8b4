package dev.gguflens.imatrix;

import dev.gguflens.gguf.GgufFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the legacy binary imatrix ({@code .dat}) as llama-quantize's {@code load_legacy_imatrix} does
 * (quantizers-imatrix.md §1.3), all little-endian: {@code int32 n_entries}, then per entry {@code int32 len},
 * the name, {@code int32 ncall}, {@code int32 nval} and {@code nval} floats; optionally {@code int32 chunk_count},
 * {@code int32 dataset_len} and the dataset name. A value is {@code v / ncall} when {@code ncall > 0}, else
 * {@code v}. Every length is checked against the file's size before anything is allocated, so a file that
 * is not an imatrix fails with one line, never with an out-of-memory error.
 */
final class LegacyImatrix {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LegacyImatrix() {
    }

    static ImatrixFile read(Path path, String nameAsGiven) throws IOException, GgufFormatException {
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment data = size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse(data, nameAsGiven);
        }
    }

    static ImatrixFile parse(MemorySegment data, String nameAsGiven) throws GgufFormatException {
        Cursor in = new Cursor(data);
        if (in.remaining() < 4) {
            throw new GgufFormatException("not a GGUF file, and too short for a legacy imatrix (" + data.byteSize() + " bytes)", 0);
        }
        int nEntries = in.int32();
        if (nEntries < 1) {
            throw new GgufFormatException("legacy imatrix: no data (" + nEntries + " entries); is it an imatrix file?", 0);
        }
        TreeMap<String, ImatrixEntry> entries = new TreeMap<>();
        for (int i = 1; i <= nEntries; i++) {
            long at = in.pos;
            int len = in.remaining() >= 4 ? in.int32() : -1;
            if (len < 0 || len > in.remaining()) {
                throw new GgufFormatException("legacy imatrix: cannot read the name of entry " + i + " of " + nEntries
                        + (len < 0 ? "" : " (" + len + " bytes, " + in.remaining() + " left in the file)"), at);
            }
            String name = in.name(len);
            at = in.pos;
            if (in.remaining() < 8) {
                throw new GgufFormatException("legacy imatrix: entry " + i + " (" + name + ") is cut short before its value count", at);
            }
            int ncall = in.int32();
            int nval = in.int32();
            if (nval < 1 || (long) nval * 4 > in.remaining()) {
                throw new GgufFormatException("legacy imatrix: entry " + i + " (" + name + ") has " + nval + " values, but "
                        + (nval < 1 ? "needs at least 1" : in.remaining() / 4 + " are left in the file"), at + 4);
            }
            float[] values = new float[nval];
            for (int k = 0; k < nval; k++) {
                float v = in.float32();
                // The legacy writer stored mean x ncall; C++ divides the float by the int converted to float.
                values[k] = ncall > 0 ? v / (float) ncall : v;
            }
            // A later entry of the same name replaces an earlier one, as in llama-quantize's map.
            entries.put(name, new ImatrixEntry(name, values, nval, new float[] {ncall}));
        }
        long chunkCount = 0;
        List<String> datasets = List.of();
        if (in.remaining() > 0) {
            long at = in.pos;
            if (in.remaining() < 8) {
                throw new GgufFormatException("legacy imatrix: " + in.remaining() + " bytes after the entries, too few for the"
                        + " chunk count and dataset name", at);
            }
            chunkCount = in.int32();
            int datasetLength = in.int32();
            if (datasetLength < 0 || datasetLength > in.remaining()) {
                throw new GgufFormatException("legacy imatrix: the dataset name is " + datasetLength + " bytes, but "
                        + in.remaining() + " are left in the file", at + 4);
            }
            datasets = List.of(new String(in.bytes(datasetLength), StandardCharsets.UTF_8));
        }
        return new ImatrixFile(nameAsGiven, ImatrixFormat.LEGACY, entries, datasets, chunkCount, -1,
                ImatrixFile.firstNonFinite(entries));
    }

    /** A read position in the file. */
    private static final class Cursor {
        final MemorySegment data;
        long pos;

        Cursor(MemorySegment data) {
            this.data = data;
        }

        long remaining() {
            return data.byteSize() - pos;
        }

        int int32() {
            int v = data.get(INT, pos);
            pos += 4;
            return v;
        }

        float float32() {
            float v = data.get(FLOAT, pos);
            pos += 4;
            return v;
        }

        byte[] bytes(int n) {
            byte[] b = data.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return b;
        }

        /** llama-quantize reads the name into a C string: it ends at the first NUL. */
        String name(int len) {
            byte[] b = bytes(len);
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        }
    }
}
