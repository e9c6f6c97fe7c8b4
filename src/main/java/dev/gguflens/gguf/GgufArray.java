package dev.gguflens.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * An ARRAY value: element type, count and the elements' bytes as stored, decoded on demand.
 *
 * <p>Arrays in real files are large (a 128k-token vocabulary, 280k merges), so nothing is decoded when
 * the file is read: the reader has validated the bytes, and elements are decoded as they are asked for.
 * Heap use therefore does not grow with the array. Fixed-size elements are read by index; strings and
 * nested arrays are walked, with an index of their offsets built on the first random access.
 */
public final class GgufArray implements GgufValue, Iterable<GgufValue> {
    private final GgufValueType elementType;
    private final long count;
    private final MemorySegment data;
    private final ByteOrder order;
    private final boolean wideLengths;
    private long[] offsets;

    /**
     * @param data        the elements' bytes, exactly (first element to end of last)
     * @param wideLengths true for 8-byte string lengths and nested counts (GGUF v2+), false for v1's 4 bytes
     */
    GgufArray(GgufValueType elementType, long count, MemorySegment data, ByteOrder order, boolean wideLengths) {
        this.elementType = elementType;
        this.count = count;
        this.data = data;
        this.order = order;
        this.wideLengths = wideLengths;
    }

    /** An array built in memory (little-endian, GGUF v3 layout) from values of {@code elementType}. */
    public static GgufArray of(GgufValueType elementType, List<? extends GgufValue> items) {
        if (elementType == GgufValueType.ARRAY) {
            for (GgufValue v : items) {
                if (!(v instanceof GgufArray)) {
                    throw new IllegalArgumentException("element " + v + " is not an array");
                }
            }
        }
        GgufEncoder enc = new GgufEncoder(ByteOrder.LITTLE_ENDIAN);
        for (GgufValue v : items) {
            if (v.type() != elementType) {
                throw new IllegalArgumentException("element of type " + v.type() + " in an array of " + elementType);
            }
            enc.value(v);
        }
        return new GgufArray(elementType, items.size(), MemorySegment.ofArray(enc.toByteArray()), ByteOrder.LITTLE_ENDIAN, true);
    }

    public static GgufArray ofStrings(List<String> items) {
        return of(GgufValueType.STRING, items.stream().map(GgufValue.Str::of).toList());
    }

    public static GgufArray ofInt32(int... items) {
        List<GgufValue> v = new ArrayList<>(items.length);
        for (int i : items) {
            v.add(GgufValue.Int.i32(i));
        }
        return of(GgufValueType.INT32, v);
    }

    public static GgufArray ofUint32(long... items) {
        List<GgufValue> v = new ArrayList<>(items.length);
        for (long i : items) {
            v.add(GgufValue.Int.u32(i));
        }
        return of(GgufValueType.UINT32, v);
    }

    public static GgufArray ofFloat32(float... items) {
        List<GgufValue> v = new ArrayList<>(items.length);
        for (float f : items) {
            v.add(GgufValue.Real.f32(f));
        }
        return of(GgufValueType.FLOAT32, v);
    }

    @Override
    public GgufValueType type() {
        return GgufValueType.ARRAY;
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public long count() {
        return count;
    }

    /** Bytes the elements occupy in the file (without the type tag and count). */
    public long elementBytes() {
        return data.byteSize();
    }

    /** The byte order the elements are stored in. */
    ByteOrder order() {
        return order;
    }

    /** The elements' raw bytes as stored. */
    MemorySegment data() {
        return data;
    }

    boolean wideLengths() {
        return wideLengths;
    }

    /** Element {@code i}. */
    public GgufValue get(long i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("index " + i + " of " + count);
        }
        if (elementType.isFixedSize()) {
            return decodeAt(i * elementType.size()).value;
        }
        if (offsets == null) {
            offsets = indexOffsets();
        }
        return decodeAt(offsets[Math.toIntExact(i)]).value;
    }

    /** The first {@code n} elements (fewer if the array is shorter). */
    public List<GgufValue> first(int n) {
        List<GgufValue> out = new ArrayList<>((int) Math.min(n, count));
        Iterator<GgufValue> it = iterator();
        while (out.size() < n && it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    /** The elements as longs; every element must be an integer. */
    public long[] toLongs() {
        if (!elementType.isInteger()) {
            throw new IllegalStateException("array of " + elementType + " is not an integer array");
        }
        long[] out = new long[Math.toIntExact(count)];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((GgufValue.Int) get(i)).bits();
        }
        return out;
    }

    @Override
    public Iterator<GgufValue> iterator() {
        return new Iterator<>() {
            long index;
            long pos;

            @Override
            public boolean hasNext() {
                return index < count;
            }

            @Override
            public GgufValue next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Decoded d = decodeAt(pos);
                pos = d.end;
                index++;
                return d.value;
            }
        };
    }

    private long[] indexOffsets() {
        long[] out = new long[Math.toIntExact(count)];
        long pos = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = pos;
            pos = decodeAt(pos).end;
        }
        return out;
    }

    private record Decoded(GgufValue value, long end) {
    }

    private long readLength(long pos) {
        return wideLengths ? data.get(GgufEncoder.longIn(order), pos)
                : data.get(GgufEncoder.intIn(order), pos) & 0xFFFF_FFFFL;
    }

    private Decoded decodeAt(long pos) {
        switch (elementType) {
            case STRING -> {
                long len = readLength(pos);
                long start = pos + (wideLengths ? 8 : 4);
                byte[] bytes = data.asSlice(start, len).toArray(ValueLayout.JAVA_BYTE);
                return new Decoded(new GgufValue.Str(bytes), start + len);
            }
            case ARRAY -> {
                GgufValueType inner = GgufValueType.byId(data.get(GgufEncoder.intIn(order), pos));
                long n = readLength(pos + 4);
                long start = pos + 4 + (wideLengths ? 8 : 4);
                long end = start;
                GgufArray probe = new GgufArray(inner, n, data.asSlice(start), order, wideLengths);
                // Walk the nested elements to find where this one ends; the reader validated them.
                if (inner.isFixedSize()) {
                    end = start + n * inner.size();
                } else {
                    long p = 0;
                    for (long k = 0; k < n; k++) {
                        p = probe.decodeAt(p).end;
                    }
                    end = start + p;
                }
                return new Decoded(new GgufArray(inner, n, data.asSlice(start, end - start), order, wideLengths), end);
            }
            default -> {
                return new Decoded(GgufEncoder.decodeScalar(elementType, data, pos, order), pos + elementType.size());
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufArray a) || a.elementType != elementType || a.count != count) {
            return false;
        }
        Iterator<GgufValue> x = iterator();
        Iterator<GgufValue> y = a.iterator();
        while (x.hasNext()) {
            if (!x.next().equals(y.next())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return elementType.hashCode() * 31 + Long.hashCode(count);
    }

    @Override
    public String toString() {
        return "[" + elementType + " x " + count + "]";
    }
}
