package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * Q8_K, decode only: {@code dequantize_row_q8_K} (ggml-types.md §5 Q8_K). Block of 256 values, 292
 * bytes: {@code f32 d}, {@code int8 qs[256]}, {@code int16 bsums[16]} (not needed to decode). Q8_K is
 * ggml's dot-product intermediate, never a file type llama-quantize writes, so there is no quantizer.
 */
final class Q8KCodec implements BlockCodec {
    private static final int QK_K = 256;
    private static final int BLOCK_BYTES = 292;
    private static final int D = 0;
    private static final int QS = 4;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public boolean canQuantize() {
        return false;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        throw new UnsupportedOperationException("Q8_K is a ggml intermediate type: gguflens only decodes it");
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int b = 0; b < n / QK_K; b++) {
            int xo = srcOff + b * BLOCK_BYTES;
            float d = Float.intBitsToFloat(QuantMath.i32(src, xo + D));
            for (int j = 0; j < QK_K; j++) {
                dst[dstOff + b * QK_K + j] = d * src[xo + QS + j];
            }
        }
    }

    /** ggml_validate_row_data rejects a Q8_K block whose f32 {@code d} is NaN or infinite. */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        for (long b = 0; b < nBlocks; b++) {
            float d = Float.intBitsToFloat(QuantMath.i32(data, Math.toIntExact(off + b * BLOCK_BYTES) + D));
            if (!Float.isFinite(d)) {
                return b;
            }
        }
        return -1;
    }
}
