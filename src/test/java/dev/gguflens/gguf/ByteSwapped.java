package dev.gguflens.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The big-endian copy of a little-endian GGUF v2/v3 file, made by a walk over its fields written here
 * from reference/gguf-format.md alone (not with the reader or the writer under test): every header field
 * wider than a byte is reversed in place, and so is every element of tensors of plain number types
 * (F32, F16, BF16, F64, I16, I32, I64), as gguf-py's big-endian writer stores them. Quantized blocks
 * are copied as they are: no tool defines them big-endian.
 */
final class ByteSwapped {
    private final byte[] in;
    private final byte[] out;
    private final ByteBuffer le;
    private int pos;
    private long alignment = 32;

    private ByteSwapped(byte[] in) {
        this.in = in;
        this.out = in.clone();
        this.le = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The big-endian copy of {@code littleEndian}. */
    static byte[] of(byte[] littleEndian) {
        ByteSwapped s = new ByteSwapped(littleEndian);
        s.walk();
        return s.out;
    }

    private record Tensor(long elements, int type, long offset) {
    }

    private void walk() {
        pos = 4;
        int version = swapInt();
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("not a little-endian v2/v3 file: version " + version);
        }
        long tensorCount = swapLong();
        long kvCount = swapLong();
        for (long i = 0; i < kvCount; i++) {
            String key = string();
            int type = swapInt();
            if (key.equals("general.alignment") && type == 4) {
                alignment = le.getInt(pos) & 0xFFFF_FFFFL;
            }
            value(type);
        }
        List<Tensor> tensors = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            string();
            int nDims = swapInt();
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                elements *= swapLong();
            }
            int type = swapInt();
            tensors.add(new Tensor(elements, type, swapLong()));
        }
        long dataOffset = tensorCount == 0 ? pos : (pos + alignment - 1) / alignment * alignment;
        for (Tensor t : tensors) {
            int width = switch (t.type) {
                case 1, 25, 30 -> 2;  // F16, I16, BF16
                case 0, 26 -> 4;      // F32, I32
                case 27, 28 -> 8;     // I64, F64
                default -> 0;         // I8 and quantized blocks: nothing to swap
            };
            if (width > 0) {
                pos = Math.toIntExact(dataOffset + t.offset);
                for (long e = 0; e < t.elements; e++) {
                    swap(width);
                }
            }
        }
    }

    private void value(int type) {
        switch (type) {
            case 0, 1, 7 -> pos += 1;     // UINT8, INT8, BOOL
            case 2, 3 -> swap(2);         // UINT16, INT16
            case 4, 5, 6 -> swap(4);      // UINT32, INT32, FLOAT32
            case 10, 11, 12 -> swap(8);   // UINT64, INT64, FLOAT64
            case 8 -> string();
            case 9 -> {
                int element = swapInt();
                long n = swapLong();
                for (long i = 0; i < n; i++) {
                    value(element);
                }
            }
            default -> throw new IllegalArgumentException("value type " + type + " at " + pos);
        }
    }

    private String string() {
        long len = swapLong();
        String s = new String(in, pos, Math.toIntExact(len), StandardCharsets.UTF_8);
        pos += (int) len;
        return s;
    }

    private int swapInt() {
        int v = le.getInt(pos);
        swap(4);
        return v;
    }

    private long swapLong() {
        long v = le.getLong(pos);
        swap(8);
        return v;
    }

    private void swap(int width) {
        for (int k = 0; k < width; k++) {
            out[pos + k] = in[pos + width - 1 - k];
        }
        pos += width;
    }
}
