package dev.gguflens.gguf;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.function.Supplier;

/**
 * Reads a GGUF file through a read-only memory mapping and validates it strictly.
 *
 * <p>Everything ggml's reader checks is checked here too (see reference/gguf-format.md §8), plus what
 * ggml leaves to the loader (tensor data inside the file, no overlapping tensors). What the spec allows
 * but llama.cpp refuses (v1, big-endian files, nested arrays, long names, non-contiguous data) and
 * tensor types newer than the pinned ggml are accepted with a warning, so any real file can be listed.
 * Only the header is touched: a 60 GB file costs what its header costs.
 *
 * <p>Every error is one line: what is wrong, the numbers, and (through {@link GgufFormatException#offset})
 * the byte offset of the field at fault. Names from the file are quoted with {@link #quote}, so a
 * crafted name can neither break the line nor send control sequences to a terminal.
 */
public final class GgufReader {
    /** ggml's GGML_MAX_NAME (64, including the NUL): longer names are refused by llama.cpp. */
    static final int MAX_NAME_BYTES = 63;
    /** ggml's GGUF_MAX_STRING_LENGTH and GGUF_MAX_ARRAY_ELEMENTS. */
    static final long MAX_STRING = 1L << 30, MAX_ARRAY = 1L << 30;
    /** Nested arrays deeper than this are refused rather than recursed into. */
    static final int MAX_NESTING = 8;
    /** Names are cut after this many printed characters in messages (a key may legally be 1 GiB long). */
    private static final int QUOTE_LIMIT = 64;
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
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufFile file = new Parser(path, seg, arena).parse();
            file.readTensorsThrough(ch);
            return file;
        } catch (IOException | GgufFormatException | RuntimeException e) {
            arena.close();
            ch.close();
            throw e;
        }
    }

    /** Reads a GGUF image held in memory (tests). */
    public static GgufFile read(MemorySegment bytes) throws GgufFormatException {
        return new Parser(null, bytes, null).parse();
    }

    /** Bytes of a stream read first for its header; doubled (at least) while the header needs more. */
    private static final int FIRST_READ = 1 << 20;
    /** The largest header read from a stream: what one Java array holds. */
    private static final int MAX_STREAMED_HEADER = Integer.MAX_VALUE - 16;

    /**
     * Reads the header of a GGUF image that can only be read front to back (a member of an archive): as
     * much of the stream as the header needs and no more than twice that, without reading the tensor data.
     * The file returned streams its tensor data ({@link GgufFile#stream()}) instead of mapping it.
     *
     * @param path   the file to name in the result (the archive)
     * @param source opens the image at its first byte
     */
    public static GgufFile readStreamed(Path path, GgufStream source) throws IOException, GgufFormatException {
        return readStreamed(path, source, FIRST_READ);
    }

    /** {@link #readStreamed(Path, GgufStream)} reading {@code firstRead} bytes first (tests make it small). */
    static GgufFile readStreamed(Path path, GgufStream source, int firstRead) throws IOException, GgufFormatException {
        byte[] buf = new byte[(int) Math.min(firstRead, source.size() >= 0 ? Math.max(source.size(), 4) : firstRead)];
        int n = 0;
        try (InputStream in = source.open()) {
            while (true) {
                n += in.readNBytes(buf, n, buf.length - n);
                boolean ended = n < buf.length || (source.size() >= 0 && n >= source.size());
                // Once the stream has ended what was read is the whole image, and the parser says what is missing.
                long size = ended ? n : source.size() >= 0 ? source.size() : Long.MAX_VALUE;
                try {
                    GgufFile f = new Parser(path, MemorySegment.ofArray(buf).asSlice(0, n), null, size, !ended).parse();
                    return f.streamed(source, source.size() >= 0 ? source.size() : impliedSize(f));
                } catch (MoreBytesNeeded more) {
                    if (buf.length >= MAX_STREAMED_HEADER) {
                        throw new GgufFormatException("the header is over " + MAX_STREAMED_HEADER
                                + " bytes, more than gguflens reads from a stream", -1);
                    }
                    long grown = Math.max(2L * buf.length, more.end + (more.end >> 2));
                    buf = Arrays.copyOf(buf, (int) Math.min(grown, MAX_STREAMED_HEADER));
                }
            }
        }
    }

    /** The size of the file ggml writes for this header: the data section with every tensor padded to the alignment. */
    private static long impliedSize(GgufFile f) {
        long end = f.dataOffset();
        for (TensorInfo t : f.tensors()) {
            if (t.bytes() >= 0) {
                end = Math.max(end, f.dataOffset() + t.offset() + alignUp(t.bytes(), f.alignment()));
            }
        }
        return end;
    }

    /** Thrown inside the parser when a header read from a stream needs bytes past those read so far. */
    private static final class MoreBytesNeeded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** The end (exclusive) of the bytes the parser needs. */
        final long end;

        MoreBytesNeeded(long end) {
            super(null, null, false, false);
            this.end = end;
        }
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
        /**
         * The image's size: the segment's, or for a stream the size it declares. MAX_VALUE while a stream of
         * unstated size ({@code .gz}) is read: data past its end is then found only when the data is read.
         */
        private final long size;
        /** Whether the segment holds only the start of the image (a stream still being read). */
        private final boolean partial;
        private final List<String> warnings = new ArrayList<>();
        /** Byte offset of each tensor's data-offset field, for errors about where its data lies. */
        private final List<Long> offsetFields = new ArrayList<>();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        private boolean wide = true;
        private long pos;

        Parser(Path path, MemorySegment seg, Arena arena) {
            this(path, seg, arena, seg.byteSize(), false);
        }

        Parser(Path path, MemorySegment seg, Arena arena, long size, boolean partial) {
            this.path = path;
            this.seg = seg;
            this.arena = arena;
            this.size = size;
            this.partial = partial;
        }

        /** Asks for more of the stream when the bytes up to {@code end} have not been read yet. */
        private void ensure(long end) {
            if (partial && end > seg.byteSize()) {
                throw new MoreBytesNeeded(end);
            }
        }

        GgufFile parse() throws GgufFormatException {
            if (size < 4) {
                throw new GgufFormatException("not a GGUF file: " + size + " bytes, too short for the 4-byte magic 'GGUF'", 0);
            }
            ensure(4);
            byte[] magic = seg.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new GgufFormatException("not a GGUF file: the magic is " + quote(magic) + " (" + hex(magic)
                        + "), expected 'GGUF' (47 47 55 46)", 0);
            }
            pos = 4;
            int version = readVersion();
            // v1 has 4-byte counts, so the KV count's offset depends on the version.
            long tensorCountAt = pos;
            long tensorCount = readCount("tensor count");
            long kvCountAt = pos;
            long kvCount = readCount("metadata count");
            // Each record needs a minimum number of bytes; counts that cannot fit are refused before any allocation.
            long minKv = wide ? 8 + 1 + 4 + 1 : 4 + 1 + 4 + 1;
            long minTensor = wide ? 8 + 4 + 4 + 8 : 4 + 4 + 4 + 8;
            requireFits(tensorCount, minTensor, "tensor count", "tensor infos", tensorCountAt);
            requireFits(kvCount, minKv, "metadata count", "key/value records", kvCountAt);
            if (tensorCount > Integer.MAX_VALUE) {
                // TensorInfo.index is an int; no real file comes near this (ggml's own bound is ~5e16).
                throw new GgufFormatException("tensor count " + tensorCount + " is over the supported " + Integer.MAX_VALUE,
                        tensorCountAt);
            }

            List<MetadataEntry> metadata = new ArrayList<>((int) Math.min(kvCount, 1 << 16));
            // Keys and names are compared as stored bytes, as ggml compares them: two different invalid UTF-8
            // keys decode to the same U+FFFD text but are distinct keys. ISO-8859-1 maps bytes 1:1 to chars.
            Map<String, Long> keys = new HashMap<>();
            for (long i = 0; i < kvCount; i++) {
                long at = pos;
                long index = i;
                byte[] keyBytes = readStringBytes(() -> "metadata entry " + index + ": the key");
                String key = new String(keyBytes, StandardCharsets.UTF_8);
                if (key.isEmpty()) {
                    throw new GgufFormatException("metadata entry " + i + " has an empty key", at);
                }
                Long earlier = keys.putIfAbsent(new String(keyBytes, StandardCharsets.ISO_8859_1), i);
                if (earlier != null) {
                    throw new GgufFormatException("duplicate key " + quote(keyBytes) + ": metadata entries " + earlier
                            + " and " + i, at);
                }
                String owner = "key " + quote(keyBytes);
                GgufValueType type = readType(owner + ": value type");
                GgufValue value = readValue(type, owner, key, 0);
                metadata.add(new MetadataEntry(key, value, at));
            }

            long alignment = alignment(metadata);
            List<TensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1 << 16));
            Map<String, Integer> names = new HashMap<>();
            for (int i = 0; i < tensorCount; i++) {
                tensors.add(readTensorInfo(i, names));
            }
            long infoEnd = pos;
            long dataOffset = infoEnd;
            if (tensorCount > 0) {
                dataOffset = alignUp(infoEnd, alignment);
                if (dataOffset > size) {
                    throw new GgufFormatException("truncated file: the data section would start at byte " + dataOffset
                            + " (the header end " + infoEnd + " padded to " + alignment + ") but the file has " + size
                            + " bytes", infoEnd);
                }
            }
            checkData(tensors, dataOffset, alignment);
            return new GgufFile(path, size, version, order, alignment, infoEnd, dataOffset, metadata, tensors, warnings, seg, arena);
        }

        private int readVersion() throws GgufFormatException {
            int raw = i32("the version");
            int version = raw;
            boolean swapped = (raw & 0xFFFF) == 0 && raw != 0;
            if (swapped) {
                // gguf-py's heuristic: a version with zero low half is a byte-swapped (big-endian) file.
                version = Integer.reverseBytes(raw);
            }
            if (version < 1 || version > 3) {
                throw new GgufFormatException("unsupported GGUF version " + Integer.toUnsignedString(raw)
                        + (swapped ? " (" + Integer.toUnsignedString(version) + " if read big-endian)" : "")
                        + "; this reader knows versions 1 to 3", 4);
            }
            if (swapped) {
                order = ByteOrder.BIG_ENDIAN;
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
            long n = wide ? i64("the " + what) : u32("the " + what);
            if (n < 0) {
                throw new GgufFormatException(what + " " + Long.toUnsignedString(n) + " is impossible (2^63 or more)", at);
            }
            return n;
        }

        private void requireFits(long count, long minBytes, String what, String records, long at) throws GgufFormatException {
            long remaining = size - pos;
            if (count > remaining / minBytes) {
                throw new GgufFormatException(what + " " + count + " cannot fit in the file: " + records + " need at least "
                        + minBytes + " bytes each (" + multiplySaturated(count, minBytes) + " in all) but only "
                        + remaining + " bytes follow the header", at);
            }
        }

        /** Reads a value-type tag; {@code what} names the field, e.g. "key 'a': value type". */
        private GgufValueType readType(String what) throws GgufFormatException {
            long at = pos;
            int id = i32(what);
            GgufValueType t = GgufValueType.byId(id);
            if (t == null) {
                throw new GgufFormatException(what + " " + id + " is invalid (valid types are 0 to 12)", at);
            }
            return t;
        }

        private GgufValue readValue(GgufValueType type, String owner, String key, int depth) throws GgufFormatException {
            long at = pos;
            return switch (type) {
                case STRING -> new GgufValue.Str(readStringBytes(() -> owner + ": the string value"));
                case ARRAY -> readArray(owner, key, depth);
                default -> {
                    need(type.size(), owner + ": the " + type + " value");
                    GgufValue v = GgufEncoder.decodeScalar(type, seg, at, order);
                    pos += type.size();
                    yield v;
                }
            };
        }

        private GgufArray readArray(String owner, String key, int depth) throws GgufFormatException {
            if (depth >= MAX_NESTING) {
                throw new GgufFormatException(owner + ": arrays nested deeper than " + MAX_NESTING + " levels", pos);
            }
            GgufValueType elem = readType(owner + ": array element type");
            long countAt = pos;
            long n = wide ? i64(owner + ": the array count") : u32(owner + ": the array count");
            if (n < 0 || n > MAX_ARRAY) {
                throw new GgufFormatException(owner + ": array count " + Long.toUnsignedString(n) + " is over ggml's limit of "
                        + MAX_ARRAY, countAt);
            }
            long start = pos;
            long remaining = size - pos;
            if (elem.isFixedSize()) {
                if (n > remaining / elem.size()) {
                    throw new GgufFormatException(owner + ": " + n + " " + elem + " elements need " + n * elem.size()
                            + " bytes but only " + remaining + " are left in the file", countAt);
                }
                pos += n * elem.size();
            } else {
                long minElem = elem == GgufValueType.STRING ? (wide ? 8 : 4) : 4 + (wide ? 8 : 4);
                if (n > remaining / minElem) {
                    throw new GgufFormatException(owner + ": " + n + " " + elem + " elements need at least " + n * minElem
                            + " bytes but only " + remaining + " are left in the file", countAt);
                }
                if (elem == GgufValueType.ARRAY && depth == 0) {
                    warnings.add("key " + quote(key) + " holds nested arrays: llama.cpp refuses them");
                }
                for (long i = 0; i < n; i++) {
                    if (elem == GgufValueType.STRING) {
                        long index = i;
                        // Not "pos += stringLength(..)": that would add to pos as it was before the length field.
                        long len = stringLength(() -> owner + "[" + index + "]: the string");
                        pos += len;
                    } else {
                        readArray(owner + "[" + i + "]", key, depth + 1);
                    }
                }
            }
            ensure(pos);
            return new GgufArray(elem, n, seg.asSlice(start, pos - start), order, wide);
        }

        private TensorInfo readTensorInfo(int i, Map<String, Integer> names) throws GgufFormatException {
            long at = pos;
            byte[] nameBytes = readStringBytes(() -> "tensor " + i + ": the name");
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            Integer earlier = names.putIfAbsent(new String(nameBytes, StandardCharsets.ISO_8859_1), i);
            if (earlier != null) {
                throw new GgufFormatException("duplicate tensor name " + quote(nameBytes) + ": tensors " + earlier + " and " + i, at);
            }
            String owner = "tensor " + quote(nameBytes);
            if (nameBytes.length > MAX_NAME_BYTES) {
                warnings.add(owner + " (tensor " + i + ") has a name of " + nameBytes.length
                        + " bytes: llama.cpp refuses names over " + MAX_NAME_BYTES + " bytes");
            }
            long dimsAt = pos;
            long nDims = u32(owner + ": the dimension count");
            if (nDims > 4) {
                throw new GgufFormatException(owner + " has " + nDims + " dimensions, at most 4 are allowed", dimsAt);
            }
            long[] ne = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dAt = pos;
                ne[d] = wide ? i64(owner + ": dimension " + d) : u32(owner + ": dimension " + d);
                if (ne[d] < 0) {
                    throw new GgufFormatException(owner + ": dimension " + d + " is negative (" + ne[d] + ")", dAt);
                }
                try {
                    elements = Math.multiplyExact(elements, ne[d]);
                } catch (ArithmeticException e) {
                    throw new GgufFormatException(owner + ": the element count of dimensions "
                            + Arrays.toString(Arrays.copyOf(ne, d + 1)) + " overflows 64 bits", dAt);
                }
            }
            long typeAt = pos;
            GgmlType type = GgmlType.of(i32(owner + ": the type"));
            long offsetAt = pos;
            long offset = i64(owner + ": the data offset");
            if (offset < 0) {
                throw new GgufFormatException(owner + ": data offset " + Long.toUnsignedString(offset)
                        + " is past the end of any file (2^63 or more)", offsetAt);
            }
            long bytes = -1;
            if (!type.hasKnownSize()) {
                warnings.add(owner + " has " + (type.status() == GgmlType.Status.REMOVED ? "the removed type " + type.name()
                        + " (id " + type.id() + ")" : "type id " + type.id() + ", unknown to ggml " + GgmlType.COUNT + "-type builds")
                        + ": its size is unknown and llama.cpp refuses it");
            } else {
                long rowLength = ne.length == 0 ? 1 : ne[0];
                if (rowLength % type.blockSize() != 0) {
                    throw new GgufFormatException(owner + " of type " + type.name() + ": row length " + rowLength
                            + " is not a multiple of the block size " + type.blockSize(), typeAt);
                }
                try {
                    // Both products are checked: a row of 2^62 F64 elements alone overflows (row bytes 2^65).
                    bytes = elements == 0 ? 0 : Math.multiplyExact(Math.multiplyExact(rowLength / type.blockSize(),
                            (long) type.typeSize()), elements / rowLength);
                } catch (ArithmeticException e) {
                    throw new GgufFormatException(owner + " of type " + type.name() + ": " + elements
                            + " elements need over 2^63 bytes", typeAt);
                }
            }
            offsetFields.add(offsetAt);
            return new TensorInfo(i, name, ne, type, offset, bytes, at);
        }

        private long alignment(List<MetadataEntry> metadata) throws GgufFormatException {
            for (MetadataEntry e : metadata) {
                if (e.key().equals("general.alignment")) {
                    if (!(e.value() instanceof GgufValue.Int v) || v.type() != GgufValueType.UINT32) {
                        throw new GgufFormatException("key 'general.alignment' must be of type UINT32 but is "
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

        /**
         * Tensor data inside the file, no two tensors sharing bytes; non-contiguous layout is only a warning.
         * Errors point at the tensor's data-offset field: that is the number the message is about.
         */
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
                    throw new GgufFormatException("tensor " + quote(t.name()) + ": its " + t.bytes() + " bytes of data at offset "
                            + t.offset() + " of the data section (file bytes " + Long.toUnsignedString(start) + " to "
                            + Long.toUnsignedString(start + t.bytes()) + ") lie outside the file ("
                            + (size == Long.MAX_VALUE ? "a stream of unstated size, which no file reaches" : size + " bytes") + ")",
                            offsetFields.get(t.index()));
                }
                if (contiguous && t.offset() != expected) {
                    warnings.add("tensor data is not laid out as llama.cpp requires: tensor " + quote(t.name()) + " has offset "
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
                    throw new GgufFormatException("tensor " + quote(b.name()) + " overlaps tensor " + quote(a.name())
                            + ": its data starts at offset " + b.offset() + " of the data section, inside " + quote(a.name())
                            + " (offsets " + a.offset() + " to " + (a.offset() + a.bytes()) + ")", offsetFields.get(b.index()));
                }
            }
        }

        // ---- bounds-checked primitives; "what" names the field for the message ----

        private void need(long n, String what) throws GgufFormatException {
            if (n > size - pos) {
                throw new GgufFormatException("truncated file: " + what + " needs " + n + " bytes but the file ends at byte "
                        + size, pos);
            }
            ensure(pos + n);
        }

        private int i32(String what) throws GgufFormatException {
            need(4, what);
            int v = seg.get(GgufEncoder.intIn(order), pos);
            pos += 4;
            return v;
        }

        private long u32(String what) throws GgufFormatException {
            return i32(what) & 0xFFFF_FFFFL;
        }

        private long i64(String what) throws GgufFormatException {
            need(8, what);
            long v = seg.get(GgufEncoder.longIn(order), pos);
            pos += 8;
            return v;
        }

        /**
         * Reads a string's length field and checks the bytes are there; {@code pos} is left at the first byte.
         * The field's name is built only for a message: string arrays hold 100k+ strings.
         */
        private long stringLength(Supplier<String> what) throws GgufFormatException {
            long at = pos;
            int width = wide ? 8 : 4;
            if (width > size - pos) {
                need(width, what.get() + " length");
            }
            ensure(pos + width);
            long len = wide ? seg.get(GgufEncoder.longIn(order), pos)
                    : seg.get(GgufEncoder.intIn(order), pos) & 0xFFFF_FFFFL;
            pos += width;
            if (len < 0 || len > MAX_STRING) {
                throw new GgufFormatException(what.get() + " has length " + Long.toUnsignedString(len) + ", over ggml's limit of "
                        + MAX_STRING, at);
            }
            if (len > size - pos) {
                throw new GgufFormatException(what.get() + " has length " + len + " but only " + (size - pos)
                        + " bytes are left in the file", at);
            }
            return len;
        }

        private byte[] readStringBytes(Supplier<String> what) throws GgufFormatException {
            long len = stringLength(what);
            ensure(pos + len);
            byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return b;
        }
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    /**
     * A name from the file, quoted for a one-line message: printable ASCII as is, other bytes as
     * {@code \xNN} (so no control sequence reaches a terminal), cut once {@value #QUOTE_LIMIT}
     * characters are printed (a garbage key of escaped bytes would otherwise fill the screen).
     */
    static String quote(byte[] name) {
        StringBuilder s = new StringBuilder("'");
        int i = 0;
        for (; i < name.length && s.length() <= QUOTE_LIMIT; i++) {
            int b = name[i] & 0xFF;
            if (b == '\'' || b == '\\') {
                s.append('\\').append((char) b);
            } else if (b >= 0x20 && b < 0x7F) {
                s.append((char) b);
            } else {
                s.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        s.append('\'');
        if (i < name.length) {
            s.append("... (").append(name.length).append(" bytes)");
        }
        return s.toString();
    }

    static String quote(String name) {
        return quote(name.getBytes(StandardCharsets.UTF_8));
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
