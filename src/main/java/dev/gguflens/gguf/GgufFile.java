package dev.gguflens.gguf;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A GGUF file read and validated by {@link GgufReader}: header, metadata in file order, tensor infos
 * in file order, and the mapped bytes for tensor data. Close it to unmap the file; values of
 * {@link GgufArray} read from it are views of the mapping and must not be used after that.
 *
 * <p>A model split by gguf-split ({@link SplitModel}) is one GgufFile too: the first part's header and
 * metadata, the tensors of every part in part order, each tensor's data read from its own part, so
 * what reads tensors through {@link #tensorData} needs no change. {@link #parts} lists the files.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final long fileSize;
    private final int version;
    private final ByteOrder byteOrder;
    private final long alignment;
    private final long infoEnd;
    private final long dataOffset;
    private final List<MetadataEntry> metadata;
    private final Map<String, MetadataEntry> byKey;
    private final List<TensorInfo> tensors;
    private final List<String> warnings;
    private final MemorySegment mapped;
    private final Arena arena;
    /** The files of a split model, in part order; empty for one file. */
    private final List<GgufFile> parts;
    /** For a split model, the part (index into {@link #parts}) of each tensor, by tensor index. */
    private final int[] partOfTensor;
    /** For an image read from a stream, where its tensor data is; null for a mapped file. */
    private final GgufStream stream;
    /**
     * The open file (the same one as the mapping), for {@link #readTensorBytes}; null for an image in memory and for
     * a split model (whose parts have their own). Set once by the reader before the file is handed out.
     */
    private volatile FileChannel channel;
    /** Set by {@link #close}: a channel found closed is then not reopened. */
    private volatile boolean closed;

    GgufFile(Path path, long fileSize, int version, ByteOrder byteOrder, long alignment, long infoEnd, long dataOffset,
             List<MetadataEntry> metadata, List<TensorInfo> tensors, List<String> warnings, MemorySegment mapped, Arena arena) {
        this.path = path;
        this.fileSize = fileSize;
        this.version = version;
        this.byteOrder = byteOrder;
        this.alignment = alignment;
        this.infoEnd = infoEnd;
        this.dataOffset = dataOffset;
        this.metadata = List.copyOf(metadata);
        this.tensors = List.copyOf(tensors);
        this.warnings = List.copyOf(warnings);
        this.mapped = mapped;
        this.arena = arena;
        this.parts = List.of();
        this.partOfTensor = null;
        this.stream = null;
        this.byKey = byKey(this.metadata);
    }

    /** {@code header} read from a stream: the same header, its data in {@code stream}, the image {@code fileSize} bytes long. */
    private GgufFile(GgufFile header, GgufStream stream, long fileSize) {
        this.path = header.path;
        this.fileSize = fileSize;
        this.version = header.version;
        this.byteOrder = header.byteOrder;
        this.alignment = header.alignment;
        this.infoEnd = header.infoEnd;
        this.dataOffset = header.dataOffset;
        this.metadata = header.metadata;
        this.tensors = header.tensors;
        this.warnings = header.warnings;
        this.mapped = header.mapped;
        this.arena = header.arena;
        this.parts = List.of();
        this.partOfTensor = null;
        this.stream = stream;
        this.byKey = header.byKey;
    }

    /** This header, read from the start of {@code stream}, as the file whose tensor data is streamed from it. */
    GgufFile streamed(GgufStream source, long size) {
        return new GgufFile(this, source, size);
    }

    /** A split model: the parts, already checked to form one model, become one file (see the class comment). */
    private GgufFile(List<GgufFile> parts, List<TensorInfo> tensors, int[] partOfTensor, List<String> warnings) {
        GgufFile first = parts.getFirst();
        this.path = first.path;
        this.fileSize = parts.stream().mapToLong(GgufFile::fileSize).sum();
        this.version = first.version;
        this.byteOrder = first.byteOrder;
        this.alignment = first.alignment;
        this.infoEnd = first.infoEnd;
        this.dataOffset = first.dataOffset;
        this.metadata = first.metadata;
        this.tensors = List.copyOf(tensors);
        this.warnings = List.copyOf(warnings);
        this.mapped = first.mapped;
        this.arena = null;
        this.parts = List.copyOf(parts);
        this.partOfTensor = partOfTensor;
        this.stream = null;
        this.byKey = first.byKey;
    }

    /**
     * Joins the parts of a split model, in part order, into one file; the tensors are renumbered in
     * that order and keep their offsets within their own part's data section.
     */
    static GgufFile joined(List<GgufFile> parts, List<String> warnings) {
        int n = parts.stream().mapToInt(p -> p.tensors().size()).sum();
        List<TensorInfo> all = new ArrayList<>(n);
        int[] partOf = new int[n];
        for (int p = 0; p < parts.size(); p++) {
            for (TensorInfo t : parts.get(p).tensors()) {
                partOf[all.size()] = p;
                all.add(new TensorInfo(all.size(), t.name(), t.ne(), t.type(), t.offset(), t.bytes(), t.infoOffset()));
            }
        }
        return new GgufFile(parts, all, partOf, warnings);
    }

    private static Map<String, MetadataEntry> byKey(List<MetadataEntry> metadata) {
        Map<String, MetadataEntry> m = new LinkedHashMap<>();
        for (MetadataEntry e : metadata) {
            m.put(e.key(), e);
        }
        return m;
    }

    /** The file, or the first part of a split model; null for a file read from memory. */
    public Path path() {
        return path;
    }

    /**
     * Size of the file on disk, in bytes (of all parts, for a split model). For an image in an archive, its
     * size there; when the archive does not say (a {@code .gz}), the size ggml writes for this header.
     */
    public long fileSize() {
        return fileSize;
    }

    /** The GGUF version (1, 2 or 3). */
    public int version() {
        return version;
    }

    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** The data alignment: {@code general.alignment}, else 32. */
    public long alignment() {
        return alignment;
    }

    /** The files of a split model in part order (part 1 first); empty for a model in one file. */
    public List<GgufFile> parts() {
        return parts;
    }

    /**
     * Where the tensor data is when it cannot be mapped (a member of an archive): read it front to back from
     * there, at {@code dataOffset() + offset}; empty for a file on disk, whose data {@link #tensorData} maps.
     */
    public Optional<GgufStream> stream() {
        return Optional.ofNullable(stream);
    }

    /** The part (1 for the first) that holds {@code t}; 1 for a model in one file. */
    public int partOf(TensorInfo t) {
        return partOfTensor == null ? 1 : partOfTensor[t.index()] + 1;
    }

    /** Byte offset where the tensor-info list ends (the unpadded header size; of the first part of a split model). */
    public long headerEnd() {
        return infoEnd;
    }

    /**
     * Absolute byte offset of the data section (as ggml computes it: unpadded when there are no tensors); of the
     * first part of a split model, whose other parts have their own (see {@link #parts}).
     */
    public long dataOffset() {
        return dataOffset;
    }

    /** Metadata in file order. */
    public List<MetadataEntry> metadata() {
        return metadata;
    }

    /** Tensor infos in file order. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** What the GGUF spec allows but llama.cpp would not load, or what looks odd; one line each. */
    public List<String> warnings() {
        return warnings;
    }

    public Optional<MetadataEntry> entry(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public Optional<GgufValue> value(String key) {
        return entry(key).map(MetadataEntry::value);
    }

    /** A string value; a present key of another type is a format error naming the key. */
    public Optional<String> string(String key) throws GgufFormatException {
        MetadataEntry e = byKey.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.value() instanceof GgufValue.Str s) {
            return Optional.of(s.text());
        }
        throw new GgufFormatException("key '" + key + "' must be a STRING but is " + e.value().type(), e.offset());
    }

    /** An integer value of any integer type; a present key of another type is a format error. */
    public OptionalLong integer(String key) throws GgufFormatException {
        MetadataEntry e = byKey.get(key);
        if (e == null) {
            return OptionalLong.empty();
        }
        if (e.value() instanceof GgufValue.Int i && !i.exceedsLong()) {
            return OptionalLong.of(i.bits());
        }
        throw new GgufFormatException("key '" + key + "' must be an integer but is " + describe(e.value()), e.offset());
    }

    /** {@code general.architecture}, or empty when absent. */
    public Optional<String> architecture() throws GgufFormatException {
        return string("general.architecture");
    }

    /** The bytes of a tensor's data (a view of the mapping of the file, or part, that holds it, in the file's byte order). */
    public MemorySegment tensorData(TensorInfo t) {
        checkInFile(t);
        if (partOfTensor != null) {
            GgufFile part = parts.get(partOfTensor[t.index()]);
            return part.mapped.asSlice(part.dataOffset + t.offset(), t.bytes());
        }
        return mapped.asSlice(dataOffset + t.offset(), t.bytes());
    }

    /**
     * Reads bytes {@code from..} of tensor {@code t}'s data into {@code dst}, as many as it has room for (its
     * position moves to its limit): a positional read of the file (or part) that holds it. For data read once, from
     * start to end (decoding a whole model), this is cheaper than copying from the mapping of {@link #tensorData}:
     * every 4 KiB of a mapping touched for the first time is a page fault, and on a virtual machine a gigabyte of
     * them took about 0.5 s of CPU against 0.15 s for reading it (bench/README.md). A direct buffer saves the JDK's
     * own copy through one. Thread-safe, and no interrupt of a reading thread can close the file for the others
     * (callers must not interrupt threads that read: {@code sim.RowPipeline} does not).
     *
     * @throws UncheckedIOException when the read fails or the file has become shorter
     */
    public void readTensorBytes(TensorInfo t, long from, ByteBuffer dst) {
        checkInFile(t);
        int len = dst.remaining();
        if (from < 0 || from + len > t.bytes()) {
            throw new IndexOutOfBoundsException("bytes " + from + "+" + len + " of tensor '" + t.name() + "' (" + t.bytes() + " bytes)");
        }
        if (partOfTensor != null) {
            GgufFile part = parts.get(partOfTensor[t.index()]);
            part.readData(part.dataOffset + t.offset() + from, dst);
            return;
        }
        readData(dataOffset + t.offset() + from, dst);
    }

    /** A tensor whose data can be read from the file: of known size, and not in a stream (read in file order only). */
    private void checkInFile(TensorInfo t) {
        if (t.bytes() < 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has type " + t.type() + " of unknown size");
        }
        if (stream != null) {
            throw new IllegalStateException("tensor '" + t.name() + "' of " + stream.describe()
                    + " is read from a stream, in file order, not mapped");
        }
    }

    /** Reads bytes {@code at..} of this (unsplit) file into {@code dst}: from the channel, or from the image in memory. */
    private void readData(long at, ByteBuffer dst) {
        if (channel == null) {
            int len = dst.remaining();
            MemorySegment.copy(mapped, at, MemorySegment.ofBuffer(dst), 0, len);
            dst.position(dst.limit());
            return;
        }
        long start = at - dst.position();
        FileChannel ch = channel;
        try {
            try {
                readFully(ch, start, dst);
            } catch (ClosedByInterruptException e) {
                throw e; // this thread was interrupted: it stops here (and the next reader reopens the channel)
            } catch (ClosedChannelException e) {
                // closed under this thread by another thread's interrupt (or before): read on from the channel opened
                // again, by this thread or one before it (reopen refuses once the file itself is closed)
                readFully(reopen(ch), start, dst);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads into {@code dst} until it is full, from byte {@code start + dst.position()} of {@code ch}. */
    private void readFully(FileChannel ch, long start, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (ch.read(dst, start + dst.position()) < 0) {
                throw new EOFException(path + " ended at byte " + (start + dst.position()) + " while reading tensor data: "
                        + "the file was changed after it was opened");
            }
        }
    }

    /**
     * A FileChannel is closed for every thread when a thread reading it is interrupted: the readers of this file then
     * open it again (once, whoever comes first), rather than fail for an interrupt that was not theirs.
     */
    private synchronized FileChannel reopen(FileChannel broken) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (channel == broken) {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        }
        return channel;
    }

    /** Called once by the reader: where {@link #readTensorBytes} reads, closed with the file. */
    void readTensorsThrough(FileChannel ch) {
        this.channel = ch;
    }

    /** The whole mapped file (the first part of a split model). */
    public MemorySegment bytes() {
        return mapped;
    }

    private static String describe(GgufValue v) {
        return v instanceof GgufArray a ? "an ARRAY of " + a.elementType() : v.type() + " " + v;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (arena != null) {
            arena.close();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing was written through it: closing a read-only channel has nothing to lose
            }
        }
        for (GgufFile p : parts) {
            p.close();
        }
    }
}
