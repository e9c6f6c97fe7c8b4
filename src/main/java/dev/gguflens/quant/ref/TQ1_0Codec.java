package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * TQ1_0 {@code {u8 qs[48]; u8 qh[4]; fp16 d}}: 256 ternary values packed 5 (or 4) trits per byte in base 3,
 * {@code quantize_row_tq1_0_ref} and {@code dequantize_row_tq1_0} (quantizers.md §3 "TQ1_0", ggml-types.md §5).
 */
final class TQ1_0Codec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = 54;
    private static final int QS = 0;
    private static final int QH = 48;
    private static final int D = 52;
    /** {@code pow3} of {@code dequantize_row_tq1_0} (reference grids/tq1_0_pow3.txt). */
    private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

    @Override
    public GgmlType type() {
        return GgmlType.TQ1_0;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] x, int xOff, byte[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int xb = xOff + i * QK;
            int yb = yOff + i * BYTES;
            float amax = 0.0f;
            for (int j = 0; j < QK; j++) {
                float av = Math.abs(x[xb + j]);
                amax = amax > av ? amax : av; // C's MAX: NaN resets the running max, as in Q8_0
            }
            float d = amax;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putU16(y, yb + D, Fp16.fromFloat(d));

            // qs[0..31]: 5 trits each, x[m + 32n]; the pointer then moves on 160 values.
            for (int m = 0; m < 32; m++) {
                int q = 0;
                for (int nt = 0; nt < 5; nt++) {
                    q = (q * 3 + trit(x[xb + m + 32 * nt], id)) & 0xFF; // uint8_t arithmetic wraps
                }
                y[yb + QS + m] = (byte) ceilDiv243(q);
            }
            xb += 160;
            // qs[32..47]: 5 trits each, x[m + 16n]; the pointer moves on 80 values.
            for (int m = 0; m < 16; m++) {
                int q = 0;
                for (int nt = 0; nt < 5; nt++) {
                    q = (q * 3 + trit(x[xb + m + 16 * nt], id)) & 0xFF;
                }
                y[yb + QS + 32 + m] = (byte) ceilDiv243(q);
            }
            xb += 80;
            // qh[0..3]: 4 trits each, x[j + 4m], then one more *3 so the first trit is the most significant.
            for (int j = 0; j < 4; j++) {
                int q = 0;
                for (int m = 0; m < 4; m++) {
                    q = (q * 3 + trit(x[xb + j + 4 * m], id)) & 0xFF;
                }
                q = (q * 3) & 0xFF;
                y[yb + QH + j] = (byte) ceilDiv243(q);
            }
        }
    }

    /** {@code lroundf(v*id) + 1}: -1, 0, 1 become 0, 1, 2 (NaN becomes 1, through LONG_MIN's low bits). */
    static int trit(float v, float id) {
        return QuantMath.lroundfToInt(v * id) + 1;
    }

    /** {@code ((uint16_t)q * 256 + 242) / 243}: the base-3 fraction scaled to a byte (ceiling division by 3^5). */
    private static int ceilDiv243(int q) {
        return (q * 256 + 242) / 243;
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            int out = yOff + i * QK;
            float d = QuantMath.f16(src, b + D);
            for (int nt = 0; nt < 5; nt++) {
                for (int m = 0; m < 32; m++) {
                    y[out++] = (tritOf(src[b + QS + m], nt) - 1) * d;
                }
            }
            for (int nt = 0; nt < 5; nt++) {
                for (int m = 0; m < 16; m++) {
                    y[out++] = (tritOf(src[b + QS + 32 + m], nt) - 1) * d;
                }
            }
            for (int nt = 0; nt < 4; nt++) {
                for (int j = 0; j < 4; j++) {
                    y[out++] = (tritOf(src[b + QH + j], nt) - 1) * d;
                }
            }
        }
    }

    /** Trit {@code n} of a packed byte: {@code q = (uint8_t)(byte * 3^n)}, then {@code (q * 3) >> 8}. */
    private static int tritOf(byte packed, int n) {
        int q = ((packed & 0xFF) * POW3[n]) & 0xFF;
        return (q * 3) >> 8;
    }

    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        return BlockChecks.firstNonFiniteF16(type(), data, off, nBlocks, D);
    }
}
