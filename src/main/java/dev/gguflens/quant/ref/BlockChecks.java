package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;

/**
 * Block bookkeeping shared by the reference codecs: the number of whole blocks in {@code n} values, and
 * the scale checks of {@code ggml_validate_row_data} (ggml-quants.c), which looks only at each block's
 * scale fields, never at the quants.
 */
final class BlockChecks {
    private BlockChecks() {
    }

    /** The number of blocks of {@code type} in {@code n} values; {@code n} must be a whole number of blocks. */
    static int blocks(GgmlType type, int n) {
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(n + " values are not a whole number of " + type + " blocks of " + type.blockSize());
        }
        return n / type.blockSize();
    }

    /**
     * The first of {@code nBlocks} blocks of {@code type} at {@code off} whose fp16 field at one of
     * {@code fieldOffsets} (bytes into the block) is Inf or NaN, as {@code VALIDATE_ROW_DATA_D_F16_IMPL} and
     * {@code VALIDATE_ROW_DATA_DM_F16_IMPL} reject it; -1 when none is.
     */
    static long firstNonFiniteF16(GgmlType type, byte[] data, int off, long nBlocks, int... fieldOffsets) {
        int size = type.typeSize();
        for (long b = 0; b < nBlocks; b++) {
            int block = Math.toIntExact(off + b * size);
            for (int field : fieldOffsets) {
                if (QuantMath.f16NonFinite(data, block + field)) {
                    return b;
                }
            }
        }
        return -1;
    }
}
