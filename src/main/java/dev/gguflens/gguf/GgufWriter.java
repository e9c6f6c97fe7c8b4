package dev.gguflens.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes GGUF v3 files laid out as ggml's {@code gguf_write_to_file} lays them out: metadata in the
 * given order, tensor infos, zero padding to the alignment (always, even with no tensors), then each
 * tensor's data followed by zero padding, the last one included.
 *
 * <p>{@link #layout} computes everything but the data (offsets, header bytes, file size), so sizes can
 * be predicted without writing; {@link #write} streams the data to a temporary file in the target's
 * folder and renames it into place only when complete.
 */
public final class GgufWriter {
    private static final int VERSION = 3;
    private static final byte[] ZEROS = new byte[4096];

    private GgufWriter() {
    }

    /** A tensor to write: name, dimensions as they should be stored, type. */
    public record TensorSpec(String name, long[] ne, GgmlType type) {
        public static TensorSpec of(TensorInfo t) {
            return new TensorSpec(t.name(), t.ne(), t.type());
        }
    }

    /** Supplies each tensor's data bytes, in the planned tensor's type, when the writer reaches it. */
    @FunctionalInterface
    public interface TensorSource {
        /** Writes exactly {@code t.bytes()} bytes of {@code t}'s data to {@code out}. */
        void write(TensorInfo t, WritableByteChannel out) throws IOException;

        /** A source that copies ready-made bytes. */
        static TensorSource ofSegments(java.util.function.Function<TensorInfo, MemorySegment> data) {
            return (t, out) -> {
                ByteBuffer b = data.apply(t).asByteBuffer();
                while (b.hasRemaining()) {
                    out.write(b);
                }
            };
        }
    }

    /**
     * The whole layout of a file: header bytes (unpadded), tensors with their offsets and sizes, and
     * the size of the file that {@link #write} produces.
     */
    public record Layout(byte[] header, long alignment, List<TensorInfo> tensors, long dataOffset, long fileSize) {
    }

    /** Lays out a little-endian v3 file with ggml's default alignment rule: {@code general.alignment} if set, else 32. */
    public static Layout layout(List<MetadataEntry> metadata, List<TensorSpec> tensors) {
        return layout(metadata, tensors, alignmentOf(metadata), ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Lays out a v3 file with an explicit alignment (llama-quantize always pads to 32, whatever the
     * metadata says) and byte order (big-endian only for tests: tensor data is written as supplied).
     */
    public static Layout layout(List<MetadataEntry> metadata, List<TensorSpec> tensors, long alignment, ByteOrder order) {
        GgufEncoder enc = new GgufEncoder(order);
        Placement p = place(metadata, tensors, alignment, enc);
        return new Layout(enc.toByteArray(), alignment, p.tensors(), p.dataOffset(), p.fileSize());
    }

    /**
     * The sizes {@link #layout} computes (header length, offsets, file size) without building the header
     * bytes: for predicting many files from one large header (a vocabulary of megabytes) cheaply.
     */
    public static Measure measure(List<MetadataEntry> metadata, List<TensorSpec> tensors, long alignment) {
        GgufEncoder enc = GgufEncoder.counting(ByteOrder.LITTLE_ENDIAN);
        Placement p = place(metadata, tensors, alignment, enc);
        return new Measure(enc.size(), alignment, p.tensors(), p.dataOffset(), p.fileSize());
    }

    /** What {@link #measure} returns: a {@link Layout} with the header's length instead of its bytes. */
    public record Measure(long headerLength, long alignment, List<TensorInfo> tensors, long dataOffset, long fileSize) {
    }

    private record Placement(List<TensorInfo> tensors, long dataOffset, long fileSize) {
    }

    /** Encodes the header into {@code enc} and places the tensors: the one place the layout arithmetic lives. */
    private static Placement place(List<MetadataEntry> metadata, List<TensorSpec> tensors, long alignment, GgufEncoder enc) {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        Set<String> keys = new HashSet<>();
        for (MetadataEntry e : metadata) {
            if (!keys.add(e.key())) {
                throw new IllegalArgumentException("duplicate key '" + e.key() + "'");
            }
        }
        enc.raw(new byte[] {'G', 'G', 'U', 'F'}).i32(VERSION)
                .i64(tensors.size()).i64(metadata.size());
        for (MetadataEntry e : metadata) {
            enc.string(e.key()).i32(e.value().type().id()).value(e.value());
        }
        List<TensorInfo> placed = new ArrayList<>(tensors.size());
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (TensorSpec t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            }
            long elements = 1;
            for (long d : t.ne()) {
                elements = Math.multiplyExact(elements, d);
            }
            long rowLength = t.ne().length == 0 ? 1 : t.ne()[0];
            if (!t.type().hasKnownSize() || rowLength % t.type().blockSize() != 0) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' of type " + t.type() + " cannot have rows of " + rowLength);
            }
            long bytes = t.type().bytes(rowLength, elements);
            enc.string(t.name()).i32(t.ne().length);
            for (long d : t.ne()) {
                enc.i64(d);
            }
            enc.i32(t.type().id()).i64(offset);
            placed.add(new TensorInfo(placed.size(), t.name(), t.ne().clone(), t.type(), offset, bytes, -1));
            offset = Math.addExact(offset, GgufReader.alignUp(bytes, alignment));
        }
        long dataOffset = GgufReader.alignUp(enc.size(), alignment);
        return new Placement(List.copyOf(placed), dataOffset, dataOffset + offset);
    }

    /** Writes {@code layout} to {@code out} atomically: a temporary file beside it, renamed when complete. */
    public static void write(Path out, Layout layout, TensorSource source) throws IOException {
        Path tmp = createPartial(out);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(ch, layout, source);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Creates the temporary file beside {@code out}. Not with {@code Files.createTempFile}: that makes the
     * file readable by its owner only (0600), and the finished model would keep that mode; a file created
     * plainly gets the usual mode from the umask, as llama-quantize's output does. {@code createFile}
     * fails rather than follow or reuse an existing name, so a random suffix retried on a clash is safe.
     * Every file gguflens writes (models, plots) goes through one of these, renamed over {@code out} when complete.
     */
    public static Path createPartial(Path out) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + out.getFileName() + "." + Long.toUnsignedString(random.nextLong(), 36) + ".partial");
            try {
                return Files.createFile(tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** Writes {@code layout} to an open channel (header, padding, each tensor and its padding). */
    public static void writeTo(WritableByteChannel ch, Layout layout, TensorSource source) throws IOException {
        long written = writeFully(ch, ByteBuffer.wrap(layout.header()));
        written += pad(ch, layout.dataOffset() - written);
        for (TensorInfo t : layout.tensors()) {
            CountingChannel counting = new CountingChannel(ch);
            source.write(t, counting);
            if (counting.count != t.bytes()) {
                throw new IllegalStateException("tensor '" + t.name() + "': source wrote " + counting.count
                        + " bytes, expected " + t.bytes());
            }
            written += counting.count;
            written += pad(ch, GgufReader.alignUp(t.bytes(), layout.alignment()) - t.bytes());
        }
        if (written != layout.fileSize()) {
            throw new IllegalStateException("wrote " + written + " bytes, layout says " + layout.fileSize());
        }
    }

    /** The file a writer would use: {@code general.alignment} when it is a valid UINT32, else 32. */
    static long alignmentOf(List<MetadataEntry> metadata) {
        for (MetadataEntry e : metadata) {
            if (e.key().equals("general.alignment") && e.value() instanceof GgufValue.Int v && v.type() == GgufValueType.UINT32
                    && v.bits() > 0 && (v.bits() & (v.bits() - 1)) == 0) {
                return v.bits();
            }
        }
        return 32;
    }

    private static long pad(WritableByteChannel ch, long n) throws IOException {
        long left = n;
        while (left > 0) {
            int k = (int) Math.min(left, ZEROS.length);
            writeFully(ch, ByteBuffer.wrap(ZEROS, 0, k));
            left -= k;
        }
        return n;
    }

    private static long writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        long n = b.remaining();
        while (b.hasRemaining()) {
            ch.write(b);
        }
        return n;
    }

    /** Counts what a tensor source writes, so a short or long tensor is caught before it corrupts the file. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel inner;
        long count;

        CountingChannel(WritableByteChannel inner) {
            this.inner = inner;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = inner.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public void close() {
            // The writer owns the underlying channel.
        }
    }
}
