package dev.gguflens.gguf;

import java.util.Arrays;

/**
 * One tensor-info record: name, dimensions as stored (ggml order, {@code ne[0]} the row length),
 * type, and the data offset relative to the data section.
 *
 * @param index     position in the file's tensor-info list
 * @param name      the tensor name
 * @param ne        dimensions as stored (n_dims entries; trailing 1s kept if the file has them)
 * @param type      the ggml type ({@link GgmlType.Status#UNKNOWN} for ids past ggml's table)
 * @param offset    data offset relative to the data section
 * @param bytes     data bytes ({@code ggml_nbytes}), or -1 when the type's size is unknown
 * @param infoOffset byte offset of the record in the file, or -1 for a tensor built in memory
 */
public record TensorInfo(int index, String name, long[] ne, GgmlType type, long offset, long bytes, long infoOffset) {

    /** Element count: the product of the dimensions (1 for n_dims = 0). */
    public long elements() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    /** Row length, {@code ne[0]} (1 for a 0-dimensional tensor). */
    public long rowLength() {
        return ne.length == 0 ? 1 : ne[0];
    }

    /** Number of rows: elements over row length. */
    public long rows() {
        long r = rowLength();
        return r == 0 ? 0 : elements() / r;
    }

    /** Dimension {@code i}, 1 beyond n_dims (as ggml pads to 4). */
    public long dim(int i) {
        return i < ne.length ? ne[i] : 1;
    }

    /** The dimensions with trailing 1s dropped and at least one entry, as ggml writes them ({@code ggml_n_dims}). */
    public long[] shape() {
        int n = ne.length;
        while (n > 1 && ne[n - 1] == 1) {
            n--;
        }
        return n == 0 ? new long[] {1} : Arrays.copyOf(ne, n);
    }

    /** The same tensor with another type, size and offset (e.g. as planned for an output file). */
    public TensorInfo withType(GgmlType newType, long newBytes, long newOffset) {
        return new TensorInfo(index, name, ne, newType, newOffset, newBytes, -1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.index == index && t.name.equals(name) && Arrays.equals(t.ne, ne)
                && t.type.equals(type) && t.offset == offset && t.bytes == bytes;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + index;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(ne) + " " + type;
    }
}
