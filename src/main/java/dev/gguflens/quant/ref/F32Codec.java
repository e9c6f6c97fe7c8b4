package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/** F32: plain little-endian floats (what ggml copies). */
final class F32Codec implements BlockCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            QuantMath.putI32(dst, dstOff + 4 * i, Float.floatToRawIntBits(src[srcOff + i]));
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.intBitsToFloat(QuantMath.i32(src, srcOff + 4 * i));
        }
    }

    /** {@code ggml_validate_row_data} rejects an F32 value that is NaN or infinite. */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        for (long i = 0; i < nBlocks; i++) {
            if (!Float.isFinite(Float.intBitsToFloat(QuantMath.i32(data, Math.toIntExact(off + 4 * i))))) {
                return i;
            }
        }
        return -1;
    }
}
