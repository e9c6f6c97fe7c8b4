package dev.gguflens.gguf;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes GGUF header fields (v2/v3 layout: 8-byte lengths and counts) into bytes, in one byte order;
 * or, made with {@link #counting}, only counts them (sizes without copying a large vocabulary).
 */
final class GgufEncoder {
    private final ByteArrayOutputStream out;
    private final ByteBuffer scratch;
    private long counted;

    GgufEncoder(ByteOrder order) {
        this(order, new ByteArrayOutputStream(256));
    }

    private GgufEncoder(ByteOrder order, ByteArrayOutputStream out) {
        this.scratch = ByteBuffer.allocate(8).order(order);
        this.out = out;
    }

    /** An encoder that keeps no bytes: {@link #size} is what the encoding would take. */
    static GgufEncoder counting(ByteOrder order) {
        return new GgufEncoder(order, null);
    }

    long size() {
        return out == null ? counted : out.size();
    }

    byte[] toByteArray() {
        if (out == null) {
            throw new IllegalStateException("a counting encoder keeps no bytes");
        }
        return out.toByteArray();
    }

    GgufEncoder raw(byte[] bytes) {
        return put(bytes, bytes.length);
    }

    GgufEncoder u8(int v) {
        if (out == null) {
            counted++;
        } else {
            out.write(v);
        }
        return this;
    }

    private GgufEncoder put(byte[] bytes, int length) {
        if (out == null) {
            counted += length;
        } else {
            out.write(bytes, 0, length);
        }
        return this;
    }

    GgufEncoder i16(int v) {
        scratch.clear();
        scratch.putShort((short) v);
        return put(scratch.array(), 2);
    }

    GgufEncoder i32(int v) {
        scratch.clear();
        scratch.putInt(v);
        return put(scratch.array(), 4);
    }

    GgufEncoder i64(long v) {
        scratch.clear();
        scratch.putLong(v);
        return put(scratch.array(), 8);
    }

    GgufEncoder string(byte[] bytes) {
        i64(bytes.length);
        return raw(bytes);
    }

    GgufEncoder string(String s) {
        return string(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The value's payload (no type tag); arrays write element type, count and elements. */
    GgufEncoder value(GgufValue v) {
        switch (v) {
            case GgufValue.Int i -> scalarBits(i.type(), i.bits());
            case GgufValue.Real r -> scalarBits(r.type(), r.bits());
            case GgufValue.Bool b -> u8(b.raw());
            case GgufValue.Str s -> string(s.bytes());
            case GgufArray a -> {
                i32(a.elementType().id());
                i64(a.count());
                if (a.order() == scratch.order() && a.wideLengths()) {
                    // Same layout as stored: copy the validated bytes as they are (fast for 100k-token vocabularies).
                    if (out == null) {
                        counted += a.data().byteSize();
                    } else {
                        raw(a.data().toArray(ValueLayout.JAVA_BYTE));
                    }
                } else {
                    for (GgufValue e : a) {
                        value(e);
                    }
                }
            }
        }
        return this;
    }

    private void scalarBits(GgufValueType type, long bits) {
        switch (type.size()) {
            case 1 -> u8((int) bits);
            case 2 -> i16((int) bits);
            case 4 -> i32((int) bits);
            case 8 -> i64(bits);
            default -> throw new IllegalArgumentException(type.name());
        }
    }

    // One layout per width and byte order, made once: withOrder() builds a new layout, and with it a new
    // access handle, on every call, which made each field read cost microseconds.
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static ValueLayout.OfShort shortIn(ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? SHORT_BE : SHORT_LE;
    }

    static ValueLayout.OfInt intIn(ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? INT_BE : INT_LE;
    }

    static ValueLayout.OfLong longIn(ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? LONG_BE : LONG_LE;
    }

    /** Decodes a fixed-size scalar of {@code type} at {@code pos}. */
    static GgufValue decodeScalar(GgufValueType type, MemorySegment seg, long pos, ByteOrder order) {
        return switch (type) {
            case UINT8 -> new GgufValue.Int(type, seg.get(ValueLayout.JAVA_BYTE, pos) & 0xFFL);
            case INT8 -> new GgufValue.Int(type, seg.get(ValueLayout.JAVA_BYTE, pos));
            case UINT16 -> new GgufValue.Int(type, seg.get(shortIn(order), pos) & 0xFFFFL);
            case INT16 -> new GgufValue.Int(type, seg.get(shortIn(order), pos));
            case UINT32 -> new GgufValue.Int(type, seg.get(intIn(order), pos) & 0xFFFF_FFFFL);
            case INT32 -> new GgufValue.Int(type, seg.get(intIn(order), pos));
            case UINT64, INT64 -> new GgufValue.Int(type, seg.get(longIn(order), pos));
            case FLOAT32 -> new GgufValue.Real(type, seg.get(intIn(order), pos) & 0xFFFF_FFFFL);
            case FLOAT64 -> new GgufValue.Real(type, seg.get(longIn(order), pos));
            case BOOL -> new GgufValue.Bool(seg.get(ValueLayout.JAVA_BYTE, pos));
            case STRING, ARRAY -> throw new IllegalArgumentException(type + " is not a scalar");
        };
    }
}
