package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A source tensor's values, decoded to f32 on demand from the file (positional reads), a range of whole blocks at a
 * time: what llama-quantize does before quantizing ({@code ggml_fp16_to_fp32_row}, a type's
 * {@code to_float}; F32 as is). Thread-safe: each call copies what it needs into the caller's buffers.
 */
public final class SourceRows {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final TensorInfo tensor;
    /** The file the values are read from, or null when they are in {@code data}. */
    private final GgufFile file;
    /** A chunk read from a stream; null when read from the file. */
    private final MemorySegment data;
    private final BlockCodec codec;
    private final boolean bigEndian;
    /** The element {@code data} starts at: 0 for a whole tensor, the first of a chunk read from a stream. */
    private final long firstElement;

    private SourceRows(TensorInfo tensor, GgufFile file, MemorySegment data, BlockCodec codec, boolean bigEndian, long firstElement) {
        this.tensor = tensor;
        this.file = file;
        this.data = data;
        this.codec = codec;
        this.bigEndian = bigEndian;
        this.firstElement = firstElement;
    }

    /**
     * The values of {@code t} in {@code file}.
     *
     * @throws UnsupportedOperationException when gguflens cannot decode the type, or the file is
     *         big-endian and the type is a block type (only F32, F16 and BF16 are byte-swapped)
     */
    public static SourceRows of(GgufFile file, TensorInfo t) {
        file.tensorData(t); // its checks: a tensor of known size, in a file on disk (not a stream)
        return new SourceRows(t, file, null, codec(file, t), file.byteOrder() == ByteOrder.BIG_ENDIAN, 0);
    }

    /**
     * The values of {@code t} from element {@code firstElement} on, held in {@code bytes} (a chunk read from a
     * stream): {@link #decode} then takes element numbers of the whole tensor, within the chunk.
     */
    public static SourceRows ofChunk(GgufFile file, TensorInfo t, MemorySegment bytes, long firstElement) {
        return new SourceRows(t, null, bytes, codec(file, t), file.byteOrder() == ByteOrder.BIG_ENDIAN, firstElement);
    }

    /**
     * Checks that gguflens can decode {@code t} of {@code file}, as {@link #of} would.
     *
     * @throws UnsupportedOperationException when it cannot (see {@link #of})
     */
    public static void check(GgufFile file, TensorInfo t) {
        codec(file, t);
    }

    private static BlockCodec codec(GgufFile file, TensorInfo t) {
        GgmlType type = t.type();
        BlockCodec codec = Codecs.forType(type).orElseThrow(() -> new UnsupportedOperationException(
                "tensor '" + t.name() + "': gguflens cannot decode type " + type));
        if (file.byteOrder() == ByteOrder.BIG_ENDIAN && type.quantized()) {
            throw new UnsupportedOperationException("tensor '" + t.name() + "': " + type
                    + " data in a big-endian file cannot be decoded (only F32, F16 and BF16 are byte-swapped)");
        }
        return codec;
    }

    /** Whether {@link #of} can decode this tensor of this file. */
    public static boolean decodable(GgufFile file, TensorInfo t) {
        return Codecs.forType(t.type()).isPresent() && t.type().hasKnownSize()
                && !(file.byteOrder() == ByteOrder.BIG_ENDIAN && t.type().quantized());
    }

    public TensorInfo tensor() {
        return tensor;
    }

    /**
     * Decodes {@code count} values starting at element {@code first} into {@code dst} from {@code dstOff}.
     * Both must be whole blocks of the source type (rows always are).
     *
     * @param buffers one thread's buffers for the encoded data, reused between calls and grown as needed;
     *                null for fresh ones
     */
    public void decode(long first, int count, float[] dst, int dstOff, Buffers buffers) {
        checkWholeBlocks(first, count);
        GgmlType type = tensor.type();
        long byteOff = bytesOf(first - firstElement);
        int nBytes = (int) bytesOf(count);
        Buffers b = buffers != null ? buffers : new Buffers();
        MemorySegment src = data;
        if (file != null) {
            ByteBuffer raw = b.raw(nBytes);
            file.readTensorBytes(tensor, byteOff, raw);
            src = MemorySegment.ofBuffer(raw.flip());
            byteOff = 0;
        }
        if (type.equals(GgmlType.F32)) {
            // F32 needs no codec: copied as floats, bytes swapped on the way if need be.
            MemorySegment.copy(src, bigEndian ? F32_BE : F32_LE, byteOff, dst, dstOff, count);
        } else if (type.equals(GgmlType.F16) || type.equals(GgmlType.BF16)) {
            // The most common sources: the 16-bit values in one copy (swapped if need be), then one bulk conversion.
            short[] halves = b.halves(count);
            MemorySegment.copy(src, bigEndian ? U16_BE : U16_LE, byteOff, halves, 0, count);
            Codecs.halvesToFloats(type, halves, count, dst, dstOff);
        } else {
            byte[] buf = b.bytes(nBytes);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, byteOff, buf, 0, nBytes);
            if (bigEndian) {
                swap(buf, nBytes, type.typeSize());
            }
            codec.dequantize(buf, 0, dst, dstOff, count);
        }
    }

    /**
     * Values {@code first .. first + count - 1} (whole blocks) read at once, as a {@code SourceRows} whose
     * {@link #decode} takes element numbers of the whole tensor within that range and reads nothing more: for many
     * small decodes of one range, one positional read instead of one each. Values already in memory (a chunk read
     * from a stream) are not copied: this itself. The range stays in {@code buffers} until their next prefetch.
     */
    public SourceRows prefetch(long first, int count, Buffers buffers) {
        if (file == null) {
            return this;
        }
        checkWholeBlocks(first, count);
        ByteBuffer window = buffers.window((int) bytesOf(count));
        file.readTensorBytes(tensor, bytesOf(first), window);
        return new SourceRows(tensor, null, MemorySegment.ofBuffer(window.flip()), codec, bigEndian, first);
    }

    /** Refuses a range of values that does not start and end on the source type's block boundaries. */
    private void checkWholeBlocks(long first, int count) {
        GgmlType type = tensor.type();
        if (first % type.blockSize() != 0 || count % type.blockSize() != 0) {
            throw new IllegalArgumentException("values " + first + "+" + count + " are not whole " + type + " blocks");
        }
    }

    /** The bytes that {@code values} values (whole blocks) take in the source type. */
    private long bytesOf(long values) {
        GgmlType type = tensor.type();
        return values / type.blockSize() * type.typeSize();
    }

    /** One thread's buffers for {@link #decode}: a range's bytes as read, then as bytes or 16-bit values for decoding. */
    public static final class Buffers {
        private ByteBuffer raw = ByteBuffer.allocateDirect(0);
        /** What {@link #prefetch} read (apart from {@code raw}, which decoding from the file reuses). */
        private ByteBuffer window = ByteBuffer.allocateDirect(0);
        private byte[] bytes = new byte[0];
        private short[] halves = new short[0];

        /** A direct buffer of {@code n} bytes to read into (direct: the channel reads straight into it). */
        ByteBuffer raw(int n) {
            if (raw.capacity() < n) {
                raw = ByteBuffer.allocateDirect(n);
            }
            return raw.clear().limit(n);
        }

        ByteBuffer window(int n) {
            if (window.capacity() < n) {
                window = ByteBuffer.allocateDirect(n);
            }
            return window.clear().limit(n);
        }

        byte[] bytes(int n) {
            return bytes = bytes.length >= n ? bytes : new byte[n];
        }

        short[] halves(int n) {
            return halves = halves.length >= n ? halves : new short[n];
        }
    }

    /** Reverses each {@code size}-byte element (2 for F16/BF16) so the little-endian codec reads it. */
    private static void swap(byte[] b, int n, int size) {
        for (int i = 0; i + size <= n; i += size) {
            for (int j = 0; j < size / 2; j++) {
                byte t = b[i + j];
                b[i + j] = b[i + size - 1 - j];
                b[i + size - 1 - j] = t;
            }
        }
    }
}
