package dev.gguflens.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Hand-built GGUF bytes for tests: every field is written explicitly, so a test can build files our
 * writer refuses to write (bad counts, gaps, v1, unknown types) and state each field's offset itself.
 *
 * <p>Lengths and counts ({@link #len}) are 8 bytes (GGUF v2/v3) or 4 bytes ({@link #v1}); everything
 * else has the same width in every version.
 */
public final class GgufBytes {
    /** GGUF value-type tags used by the tests (reference/gguf-format.md §4). */
    public static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;
    /** ggml type ids used by the tests. */
    public static final int F32 = 0, F16 = 1, Q4_0 = 2, F64 = 28;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteBuffer scratch;
    private final boolean wide;

    private GgufBytes(ByteOrder order, boolean wide) {
        this.scratch = ByteBuffer.allocate(8).order(order);
        this.wide = wide;
    }

    /** Empty bytes with v2/v3 field widths, little-endian. */
    public static GgufBytes create() {
        return new GgufBytes(ByteOrder.LITTLE_ENDIAN, true);
    }

    /** Empty bytes with GGUF v1 field widths (4-byte counts, lengths and dimensions), little-endian. */
    public static GgufBytes v1() {
        return new GgufBytes(ByteOrder.LITTLE_ENDIAN, false);
    }

    /** Magic, version 3, tensor count, KV count: 24 bytes. */
    public static GgufBytes v3(long tensors, long kvs) {
        return create().magic().u32(3).u64(tensors).u64(kvs);
    }

    /** The current size: the offset the next field will have. */
    public long pos() {
        return out.size();
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }

    public GgufBytes magic() {
        return raw("GGUF".getBytes(StandardCharsets.US_ASCII));
    }

    public GgufBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    public GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    public GgufBytes u16(int v) {
        scratch.clear();
        scratch.putShort((short) v);
        out.write(scratch.array(), 0, 2);
        return this;
    }

    public GgufBytes u32(long v) {
        scratch.clear();
        scratch.putInt((int) v);
        out.write(scratch.array(), 0, 4);
        return this;
    }

    public GgufBytes u64(long v) {
        scratch.clear();
        scratch.putLong(v);
        out.write(scratch.array(), 0, 8);
        return this;
    }

    /** A string length, array count or tensor dimension: 8 bytes, or 4 in v1. */
    public GgufBytes len(long v) {
        return wide ? u64(v) : u32(v);
    }

    /** A GGUF string: length, then the UTF-8 bytes. */
    public GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return len(b.length).raw(b);
    }

    /** A scalar UINT32 key/value record: key, tag 4, value. */
    public GgufBytes kvU32(String key, long v) {
        return str(key).u32(UINT32).u32(v);
    }

    /** A STRING key/value record. */
    public GgufBytes kvStr(String key, String v) {
        return str(key).u32(STRING).str(v);
    }

    /** A tensor-info record: name, n_dims, dimensions, ggml type id, data offset. */
    public GgufBytes tensor(String name, long[] ne, int type, long offset) {
        str(name).u32(ne.length);
        for (long d : ne) {
            len(d);
        }
        return u32(type).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    public GgufBytes padTo(long alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    public GgufBytes zeros(long n) {
        for (long i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }
}
