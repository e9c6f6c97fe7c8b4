package dev.gguflens.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A ggml tensor type: id, name, block size and bytes per block, as ggml's type-traits table has them.
 *
 * <p>Every id 0..42 of the pinned ggml build is listed ({@link #known()}); removed ids keep their slot
 * with block size 0, and ids beyond the table ({@link #of(int)}) give an {@link Status#UNKNOWN} entry
 * whose size is unknown, so a file written by a newer ggml still lists.
 */
public record GgmlType(int id, String name, String ggmlName, int blockSize, int typeSize, boolean quantized, Status status) {

    /** Where a type stands in the pinned ggml build. */
    public enum Status {
        /** A storage type ggml reads and writes. */
        ACTIVE,
        /** Exists in ggml but only as a dot-product intermediate (Q8_1, Q8_K); never a file type of llama-quantize. */
        INTERNAL,
        /** A retired id: ggml reports block size 0 and rejects it in files. */
        REMOVED,
        /** An id past ggml's table (a newer ggml, or a corrupt file). */
        UNKNOWN
    }

    // Block sizes and bytes per block, written as the struct sizes ggml's block_* definitions give
    // (2-byte f16 scales, packed quants), so each line reads against ggml-common.h.
    private static final int QK = 32, QK_K = 256;

    public static final GgmlType F32 = active(0, "F32", "f32", 1, 4, false);
    public static final GgmlType F16 = active(1, "F16", "f16", 1, 2, false);
    public static final GgmlType Q4_0 = active(2, "Q4_0", "q4_0", QK, 2 + QK / 2, true);
    public static final GgmlType Q4_1 = active(3, "Q4_1", "q4_1", QK, 2 * 2 + QK / 2, true);
    public static final GgmlType Q5_0 = active(6, "Q5_0", "q5_0", QK, 2 + 4 + QK / 2, true);
    public static final GgmlType Q5_1 = active(7, "Q5_1", "q5_1", QK, 2 * 2 + 4 + QK / 2, true);
    public static final GgmlType Q8_0 = active(8, "Q8_0", "q8_0", QK, 2 + QK, true);
    public static final GgmlType Q8_1 = new GgmlType(9, "Q8_1", "q8_1", QK, 2 * 2 + QK, true, Status.INTERNAL);
    public static final GgmlType Q2_K = active(10, "Q2_K", "q2_K", QK_K, QK_K / 16 + QK_K / 4 + 2 * 2, true);
    public static final GgmlType Q3_K = active(11, "Q3_K", "q3_K", QK_K, QK_K / 8 + QK_K / 4 + 12 + 2, true);
    public static final GgmlType Q4_K = active(12, "Q4_K", "q4_K", QK_K, 2 * 2 + 12 + QK_K / 2, true);
    public static final GgmlType Q5_K = active(13, "Q5_K", "q5_K", QK_K, 2 * 2 + 12 + QK_K / 8 + QK_K / 2, true);
    public static final GgmlType Q6_K = active(14, "Q6_K", "q6_K", QK_K, QK_K / 2 + QK_K / 4 + QK_K / 16 + 2, true);
    public static final GgmlType Q8_K = new GgmlType(15, "Q8_K", "q8_K", QK_K, 4 + QK_K + QK_K / 16 * 2, true, Status.INTERNAL);
    public static final GgmlType IQ2_XXS = active(16, "IQ2_XXS", "iq2_xxs", QK_K, 2 + QK_K / 8 * 2, true);
    public static final GgmlType IQ2_XS = active(17, "IQ2_XS", "iq2_xs", QK_K, 2 + QK_K / 8 * 2 + QK_K / 32, true);
    public static final GgmlType IQ3_XXS = active(18, "IQ3_XXS", "iq3_xxs", QK_K, 2 + 3 * (QK_K / 8), true);
    public static final GgmlType IQ1_S = active(19, "IQ1_S", "iq1_s", QK_K, 2 + QK_K / 8 + QK_K / 16, true);
    public static final GgmlType IQ4_NL = active(20, "IQ4_NL", "iq4_nl", QK, 2 + QK / 2, true);
    public static final GgmlType IQ3_S = active(21, "IQ3_S", "iq3_s", QK_K, 2 + QK_K / 4 + QK_K / 32 + QK_K / 8 + QK_K / 64, true);
    public static final GgmlType IQ2_S = active(22, "IQ2_S", "iq2_s", QK_K, 2 + QK_K / 4 + QK_K / 16, true);
    public static final GgmlType IQ4_XS = active(23, "IQ4_XS", "iq4_xs", QK_K, 2 + 2 + QK_K / 64 + QK_K / 2, true);
    public static final GgmlType I8 = active(24, "I8", "i8", 1, 1, false);
    public static final GgmlType I16 = active(25, "I16", "i16", 1, 2, false);
    public static final GgmlType I32 = active(26, "I32", "i32", 1, 4, false);
    public static final GgmlType I64 = active(27, "I64", "i64", 1, 8, false);
    public static final GgmlType F64 = active(28, "F64", "f64", 1, 8, false);
    public static final GgmlType IQ1_M = active(29, "IQ1_M", "iq1_m", QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32, true);
    public static final GgmlType BF16 = active(30, "BF16", "bf16", 1, 2, false);
    public static final GgmlType TQ1_0 = active(34, "TQ1_0", "tq1_0", QK_K, (QK_K - 4 * QK_K / 64) / 5 + QK_K / 64 + 2, true);
    public static final GgmlType TQ2_0 = active(35, "TQ2_0", "tq2_0", QK_K, 2 + QK_K / 4, true);
    public static final GgmlType MXFP4 = active(39, "MXFP4", "mxfp4", QK, 1 + QK / 2, true);
    public static final GgmlType NVFP4 = active(40, "NVFP4", "nvfp4", 64, 4 + 64 / 2, true);
    public static final GgmlType Q1_0 = active(41, "Q1_0", "q1_0", 128, 2 + 128 / 8, true);
    public static final GgmlType Q2_0 = active(42, "Q2_0", "q2_0", 64, 2 + 64 / 4, true);

    /** Number of ids in the pinned ggml build (GGML_TYPE_COUNT). */
    public static final int COUNT = 43;

    private static final GgmlType[] TABLE = buildTable();

    private static GgmlType active(int id, String name, String ggmlName, int blockSize, int typeSize, boolean quantized) {
        return new GgmlType(id, name, ggmlName, blockSize, typeSize, quantized, Status.ACTIVE);
    }

    private static GgmlType removed(int id, String name) {
        return new GgmlType(id, name, name.toLowerCase(Locale.ROOT), 0, 0, false, Status.REMOVED);
    }

    private static GgmlType[] buildTable() {
        GgmlType[] t = new GgmlType[COUNT];
        for (GgmlType g : List.of(F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K,
                IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL, IQ3_S, IQ2_S, IQ4_XS, I8, I16, I32, I64, F64, IQ1_M, BF16,
                TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0, Q2_0)) {
            t[g.id] = g;
        }
        t[4] = removed(4, "Q4_2");
        t[5] = removed(5, "Q4_3");
        t[31] = removed(31, "Q4_0_4_4");
        t[32] = removed(32, "Q4_0_4_8");
        t[33] = removed(33, "Q4_0_8_8");
        t[36] = removed(36, "IQ4_NL_4_4");
        t[37] = removed(37, "IQ4_NL_4_8");
        t[38] = removed(38, "IQ4_NL_8_8");
        return t;
    }

    /** The type with this id; ids outside ggml's table give an {@link Status#UNKNOWN} type of unknown size. */
    public static GgmlType of(int id) {
        if (id >= 0 && id < COUNT) {
            return TABLE[id];
        }
        return new GgmlType(id, "TYPE_" + id, "type_" + id, 0, 0, false, Status.UNKNOWN);
    }

    /** Every id of the pinned ggml build, 0..42, in id order (removed ids included). */
    public static List<GgmlType> known() {
        return List.of(TABLE);
    }

    /** Parses a type name in any case ({@code q4_k}, {@code Q4_K}, {@code f16}); removed and unknown names give empty. */
    public static Optional<GgmlType> byName(String name) {
        return Arrays.stream(TABLE)
                .filter(t -> t.status != Status.REMOVED && t.name.equalsIgnoreCase(name.strip()))
                .findFirst();
    }

    /** Whether ggml can hold a tensor of this type in a file (a known id with a non-zero block size). */
    public boolean hasKnownSize() {
        return blockSize > 0;
    }

    /** Bytes of one row of {@code rowLength} elements; the caller ensures the row is a whole number of blocks. */
    public long rowBytes(long rowLength) {
        requireKnownSize();
        return rowLength / blockSize * typeSize;
    }

    /** Bytes of a contiguous tensor of {@code elements} elements in rows of {@code rowLength}. */
    public long bytes(long rowLength, long elements) {
        requireKnownSize();
        if (rowLength == 0) {
            return 0;
        }
        return Math.multiplyExact(rowBytes(rowLength), elements / rowLength);
    }

    /** Storage bits per weight: 8 x bytes per block / block size. */
    public double bitsPerWeight() {
        requireKnownSize();
        return 8.0 * typeSize / blockSize;
    }

    private void requireKnownSize() {
        if (!hasKnownSize()) {
            throw new IllegalStateException("type " + name + " (id " + id + ") has no known size");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
