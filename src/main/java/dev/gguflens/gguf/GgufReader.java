package dev.gguflens.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF file through a read-only memory mapping and validates it strictly.
 *
 * <p>Everything ggml's reader checks is checked here too (see reference/gguf-format.md §8), plus what
 * ggml leaves to the loader (tensor data inside the file, no overlapping tensors). What the spec allows
 * but llama.cpp refuses (v1, big-endian files, nested arrays, long names, non-contiguous data) and
 * tensor types newer than the pinned ggml are accepted with a warning, so any real file can be listed.
 * Only the header is touched: a 60 GB file costs what its header costs.
 */
public final class GgufReader {
    /** ggml's GGML_MAX_NAME (64, including the NUL): longer names are refused by llama.cpp. */
    static final int MAX_NAME_BYTES = 63;
    /** ggml's GGUF_MAX_STRING_LENGTH and GGUF_MAX_ARRAY_ELEMENTS. */
    static final long MAX_STRING = 1L << 30, MAX_ARRAY = 1L << 30;
    /** Nested arrays deeper than this are refused rather than recursed into. */
    static final int MAX_NESTING = 8;
    private static final byte[] MAGIC = {'G', 'G', 'U', 'F'};

    private GgufReader() {
    }

    /** Maps and reads {@code path}. I/O problems (missing file, directory, unreadable) are IOExceptions. */
    public static GgufFile open(Path path) throws IOException, GgufFormatException {
        if (Files.isDirectory(path)) {
            throw new IOException(path + " is a directory, not a GGUF file");
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new Parser(path, seg, arena).parse();
        } catch (IOException | GgufFormatException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Reads a GGUF image held in memory (tests, archives). */
    public static GgufFile read(MemorySegment bytes) throws GgufFormatException {
        return new Parser(null, bytes, null).parse();
    }

    /** Reads a GGUF image held in a byte array. */
    public static GgufFile read(byte[] bytes) throws GgufFormatException {
        return read(MemorySegment.ofArray(bytes));
    }

    /** One pass over the header with a bounds-checked cursor. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment seg;
        private final Arena arena;
        private final long size;
        private final List<String> warnings = new ArrayList<>();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        private boolean wide = true;
        private long pos;

        Parser(Path path, MemorySegment seg, Arena arena) {
            this.path = path;
            this.seg = seg;
            this.arena = arena;
            this.size = seg.byteSize();
        }

        GgufFile parse() throws GgufFormatException {
            if (size < 4) {
                throw new GgufFormatException("not a GGUF file: " + size + " bytes, too short for the magic 'GGUF'", 0);
            }
            byte[] magic = seg.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new GgufFormatException("not a GGUF file: bad magic " + hex(magic) + ", expected 'GGUF' (47 47 55 46)", 0);
            }
            pos = 4;
            int version = readVersion();
            long tensorCount = readCount("tensor count");
            long kvCount = readCount("metadata count");
            // Each record needs a minimum number of bytes; counts that cannot fit are refused before any allocation.
            long minKv = wide ? 8 + 1 + 4 + 1 : 4 + 1 + 4 + 1;
            long minTensor = wide ? 8 + 4 + 4 + 8 : 4 + 4 + 4 + 8;
            requireFits(kvCount, minKv, "metadata count", 16);
            requireFits(tensorCount, minTensor, "tensor count", 8);

            List<MetadataEntry> metadata = new ArrayList<>((int) Math.min(kvCount, 1 << 16));
            Map<String, Long> keys = new HashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long at = pos;
                String key = new String(readStringBytes("key of metadata entry " + i), StandardCharsets.UTF_8);
                if (key.isEmpty()) {
                    throw new GgufFormatException("metadata entry " + i + " has an empty key", at);
                }
                Long earlier = keys.putIfAbsent(key, i);
                if (earlier != null) {
                    throw new GgufFormatException("duplicate key '" + key + "' (entries " + earlier + " and " + i + ")", at);
                }
                GgufValueType type = readType("key '" + key + "'");
                GgufValue value = readValue(type, "key '" + key + "'", key, 0);
                metadata.add(new MetadataEntry(key, value, at));
            }

            long alignment = alignment(metadata);
            List<TensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
            Map<String, Integer> names = new HashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                tensors.add(readTensorInfo(Math.toIntExact(i), names));
            }
            long infoEnd = pos;
            long dataOffset = infoEnd;
            if (tensorCount > 0) {
                dataOffset = alignUp(infoEnd, alignment);
                if (dataOffset > size) {
                    throw new GgufFormatException("truncated: the data section would start at byte " + dataOffset
                            + " but the file has " + size + " bytes", infoEnd);
                }
            }
            checkData(tensors, dataOffset, alignment);
            return new GgufFile(path, size, version, order, alignment, infoEnd, dataOffset, metadata, tensors, warnings, seg, arena);
        }

        private int readVersion() throws GgufFormatException {
            int raw = i32("version");
            int version = raw;
            if ((raw & 0xFFFF) == 0 && raw != 0) {
                // gguf-py's heuristic: a version with zero low half is a byte-swapped (big-endian) file.
                version = Integer.reverseBytes(raw);
                order = ByteOrder.BIG_ENDIAN;
            }
            if (version < 1 || version > 3) {
                throw new GgufFormatException("unsupported GGUF version " + Integer.toUnsignedString(raw)
                        + " (this reader knows versions 1 to 3)", 4);
            }
            if (order == ByteOrder.BIG_ENDIAN) {
                warnings.add("big-endian file: llama.cpp on a little-endian machine refuses it (gguf-py reads it)");
            }
            if (version == 1) {
                wide = false;
                warnings.add("GGUF v1: llama.cpp no longer loads this version");
            }
            return version;
        }

        private long readCount(String what) throws GgufFormatException {
            long at = pos;
            long n = wide ? i64(what) : u32(what);
            if (n < 0) {
                throw new GgufFormatException(what + " " + Long.toUnsignedString(n) + " is absurd (negative as ggml reads it)", at);
            }
            return n;
        }

        private void requireFits(long count, long minBytes, String what, long at) throws GgufFormatException {
            long remaining = size - pos;
            if (count > remaining / minBytes) {
                throw new GgufFormatException(what + " " + count + " is absurd: that many records need at least "
                        + multiplySaturated(count, minBytes) + " bytes but the file has " + remaining + " after the header", at);
            }
        }

        private GgufValueType readType(String owner) throws GgufFormatException {
            long at = pos;
            int id = i32("value type of " + owner);
            GgufValueType t = GgufValueType.byId(id);
            if (t == null) {
                throw new GgufFormatException(owner + " has invalid value type " + id + " (valid: 0 to 12)", at);
            }
            return t;
        }

        private GgufValue readValue(GgufValueType type, String owner, String key, int depth) throws GgufFormatException {
            long at = pos;
            return switch (type) {
                case STRING -> new GgufValue.Str(readStringBytes("value of " + owner));
                case ARRAY -> readArray(owner, key, depth);
                default -> {
                    need(type.size(), "the " + type + " value of " + owner);
                    GgufValue v = GgufEncoder.decodeScalar(type, seg, at, order);
                    pos += type.size();
                    yield v;
                }
            };
        }

        private GgufArray readArray(String owner, String key, int depth) throws GgufFormatException {
            if (depth >= MAX_NESTING) {
                throw new GgufFormatException(owner + " nests arrays deeper than " + MAX_NESTING + " levels", pos);
            }
            GgufValueType elem = readType("array elements of " + owner);
            long countAt = pos;
            long n = wide ? i64("element count of " + owner) : u32("element count of " + owner);
            if (n < 0 || n > MAX_ARRAY) {
                throw new GgufFormatException(owner + " has absurd array length " + Long.toUnsignedString(n)
                        + " (ggml allows at most " + MAX_ARRAY + ")", countAt);
            }
            long start = pos;
            if (elem.isFixedSize()) {
                long remaining = size - pos;
                if (n > remaining / elem.size()) {
                    throw new GgufFormatException(owner + " has " + n + " " + elem + " elements (" + multiplySaturated(n, elem.size())
                            + " bytes) but only " + remaining + " bytes remain in the file", countAt);
                }
                pos += n * elem.size();
            } else {
                long minElem = elem == GgufValueType.STRING ? (wide ? 8 : 4) : 4 + (wide ? 8 : 4);
                if (n > (size - pos) / minElem) {
                    throw new GgufFormatException(owner + " has " + n + " " + elem + " elements, more than the remaining "
                            + (size - pos) + " bytes can hold", countAt);
                }
                if (elem == GgufValueType.ARRAY && depth == 0) {
                    warnings.add("key '" + key + "' holds nested arrays: llama.cpp refuses them");
                }
                for (long i = 0; i < n; i++) {
                    if (elem == GgufValueType.STRING) {
                        skipString(owner, i);
                    } else {
                        readArray(owner + " element " + i, key, depth + 1);
                    }
                }
            }
            return new GgufArray(elem, n, seg.asSlice(start, pos - start), order, wide);
        }

        private TensorInfo readTensorInfo(int i, Map<String, Integer> names) throws GgufFormatException {
            long at = pos;
            byte[] nameBytes = readStringBytes("name of tensor " + i);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            Integer earlier = names.putIfAbsent(name, i);
            if (earlier != null) {
                throw new GgufFormatException("duplicate tensor name '" + name + "' (tensors " + earlier + " and " + i + ")", at);
            }
            if (nameBytes.length > MAX_NAME_BYTES) {
                warnings.add("tensor " + i + " has a name of " + nameBytes.length + " bytes: llama.cpp refuses names over "
                        + MAX_NAME_BYTES + " bytes");
            }
            String owner = "tensor '" + name + "'";
            long dimsAt = pos;
            long nDims = u32("dimension count of " + owner);
            if (nDims > 4) {
                throw new GgufFormatException(owner + " has " + nDims + " dimensions; at most 4 are allowed", dimsAt);
            }
            long[] ne = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dAt = pos;
                ne[d] = wide ? i64("dimension " + d + " of " + owner) : u32("dimension " + d + " of " + owner);
                if (ne[d] < 0) {
                    throw new GgufFormatException(owner + " has a negative dimension " + d + ": " + ne[d], dAt);
                }
                try {
                    elements = Math.multiplyExact(elements, ne[d]);
                } catch (ArithmeticException e) {
                    throw new GgufFormatException(owner + " has too many elements: " + Arrays.toString(Arrays.copyOf(ne, d + 1))
                            + " overflows 64 bits", dAt);
                }
            }
            long typeAt = pos;
            GgmlType type = GgmlType.of(i32("type of " + owner));
            long offsetAt = pos;
            long offset = i64("data offset of " + owner);
            if (offset < 0) {
                throw new GgufFormatException(owner + " has data offset " + Long.toUnsignedString(offset) + ", past any file", offsetAt);
            }
            long bytes = -1;
            if (!type.hasKnownSize()) {
                warnings.add(owner + " has " + (type.status() == GgmlType.Status.REMOVED ? "the removed type " + type.name()
                        + " (id " + type.id() + ")" : "type id " + type.id() + ", unknown to ggml " + GgmlType.COUNT + "-type builds")
                        + ": its size is unknown and llama.cpp refuses it");
            } else {
                long rowLength = ne.length == 0 ? 1 : ne[0];
                if (rowLength % type.blockSize() != 0) {
                    throw new GgufFormatException(owner + " of type " + type.name() + " has rows of " + rowLength
                            + " elements, not a multiple of the block size " + type.blockSize(), typeAt);
                }
                try {
                    bytes = elements == 0 ? 0 : Math.multiplyExact(rowLength / type.blockSize() * (long) type.typeSize(), elements / rowLength);
                } catch (ArithmeticException e) {
                    throw new GgufFormatException(owner + " of type " + type.name() + " with " + elements
                            + " elements has a size over 2^63 bytes", typeAt);
                }
            }
            return new TensorInfo(i, name, ne, type, offset, bytes, at);
        }

        private long alignment(List<MetadataEntry> metadata) throws GgufFormatException {
            for (MetadataEntry e : metadata) {
                if (e.key().equals("general.alignment")) {
                    if (!(e.value() instanceof GgufValue.Int v) || v.type() != GgufValueType.UINT32) {
                        throw new GgufFormatException("key 'general.alignment' must be a UINT32 but is "
                                + (e.value() instanceof GgufArray a ? "an ARRAY of " + a.elementType() : e.value().type()), e.offset());
                    }
                    long a = v.bits();
                    if (a == 0 || (a & (a - 1)) != 0) {
                        throw new GgufFormatException("key 'general.alignment' is " + a + ", not a power of two", e.offset());
                    }
                    return a;
                }
            }
            return 32;
        }

        /** Tensor data inside the file, no two tensors sharing bytes; non-contiguous layout is only a warning. */
        private void checkData(List<TensorInfo> tensors, long dataOffset, long alignment) throws GgufFormatException {
            long expected = 0;
            boolean contiguous = true;
            for (TensorInfo t : tensors) {
                if (t.bytes() < 0) {
                    contiguous = false;
                    continue;
                }
                long start = dataOffset + t.offset();
                if (start < 0 || start > size || t.bytes() > size - start) {
                    throw new GgufFormatException("tensor '" + t.name() + "' data [" + Long.toUnsignedString(start) + ", "
                            + Long.toUnsignedString(start + t.bytes()) + ") lies outside the file (" + size + " bytes)",
                            t.infoOffset());
                }
                if (contiguous && t.offset() != expected) {
                    warnings.add("tensor data is not laid out as llama.cpp requires: tensor '" + t.name() + "' has offset "
                            + t.offset() + ", expected " + expected + " (contiguous in info order, each padded to " + alignment + ")");
                    contiguous = false;
                }
                expected = t.offset() + alignUp(t.bytes(), alignment);
            }
            List<TensorInfo> placed = new ArrayList<>();
            for (TensorInfo t : tensors) {
                if (t.bytes() > 0) {
                    placed.add(t);
                }
            }
            placed.sort(Comparator.comparingLong(TensorInfo::offset));
            for (int i = 1; i < placed.size(); i++) {
                TensorInfo a = placed.get(i - 1);
                TensorInfo b = placed.get(i);
                if (b.offset() < a.offset() + a.bytes()) {
                    throw new GgufFormatException("tensors '" + a.name() + "' and '" + b.name() + "' overlap: data offsets "
                            + a.offset() + " (+" + a.bytes() + " bytes) and " + b.offset(), b.infoOffset());
                }
            }
        }

        // ---- bounds-checked primitives ----

        private void need(long n, String what) throws GgufFormatException {
            if (n > size - pos) {
                throw new GgufFormatException("truncated: " + what + " needs " + n + " bytes but the file ends at byte " + size, pos);
            }
        }

        private int i32(String what) throws GgufFormatException {
            need(4, what);
            int v = seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order), pos);
            pos += 4;
            return v;
        }

        private long u32(String what) throws GgufFormatException {
            return i32(what) & 0xFFFF_FFFFL;
        }

        private long i64(String what) throws GgufFormatException {
            need(8, what);
            long v = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order), pos);
            pos += 8;
            return v;
        }

        private long stringLength(String what) throws GgufFormatException {
            long at = pos;
            long len = wide ? i64("length of the " + what) : u32("length of the " + what);
            if (len < 0 || len > MAX_STRING) {
                throw new GgufFormatException("the " + what + " has absurd length " + Long.toUnsignedString(len)
                        + " (ggml allows at most " + MAX_STRING + ")", at);
            }
            if (len > size - pos) {
                throw new GgufFormatException("the " + what + " has length " + len + " but only " + (size - pos)
                        + " bytes remain in the file", at);
            }
            return len;
        }

        private byte[] readStringBytes(String what) throws GgufFormatException {
            long len = stringLength(what);
            byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return b;
        }

        private void skipString(String owner, long i) throws GgufFormatException {
            long len = stringLength("string " + i + " of " + owner); // advances past the length field
            pos += len;
        }
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    private static long multiplySaturated(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        return hi != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x ", x & 0xFF));
        }
        return s.toString().trim();
    }
}
