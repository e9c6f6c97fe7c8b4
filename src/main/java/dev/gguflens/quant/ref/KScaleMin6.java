package dev.gguflens.quant.ref;

/**
 * The 12-byte packing of eight 6-bit scales and eight 6-bit mins shared by Q4_K and Q5_K
 * (reference/quantizers.md §2.5; ggml's {@code get_scale_min_k4} and the packing loop of
 * {@code quantize_row_q4_K_ref}).
 */
public final class KScaleMin6 {
    static final int BYTES = 12;

    private KScaleMin6() {
    }

    /**
     * Stores scale {@code ls} and min {@code lm} (6 bits each) of sub-block {@code j} into the 12 bytes at
     * {@code off}. Call for j = 0..7 in order: bytes 0..7 are assigned for j < 4 and OR-ed for j >= 4.
     */
    public static void put(byte[] s, int off, int j, int ls, int lm) {
        if (j < 4) {
            s[off + j] = (byte) ls;
            s[off + j + 4] = (byte) lm;
        } else {
            s[off + j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
            s[off + j - 4] |= (byte) ((ls >> 4) << 6);
            s[off + j] |= (byte) ((lm >> 4) << 6);
        }
    }

    /** The 6-bit scale of sub-block {@code j} from the 12 bytes at {@code off}. */
    public static int scale(byte[] s, int off, int j) {
        if (j < 4) {
            return s[off + j] & 63;
        }
        return (s[off + j + 4] & 0xF) | (((s[off + j - 4] & 0xFF) >> 6) << 4);
    }

    /** The 6-bit min of sub-block {@code j} from the 12 bytes at {@code off}. */
    public static int min(byte[] s, int off, int j) {
        if (j < 4) {
            return s[off + j + 4] & 63;
        }
        return ((s[off + j + 4] & 0xFF) >> 4) | (((s[off + j] & 0xFF) >> 6) << 4);
    }
}
