package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/** F16: {@code ggml_fp32_to_fp16_row} / {@code ggml_fp16_to_fp32_row}. */
final class F16Codec implements BlockCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            QuantMath.putU16(dst, dstOff + 2 * i, Fp16.fromFloat(src[srcOff + i]));
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = QuantMath.f16(src, srcOff + 2 * i);
        }
    }

    /** {@code ggml_validate_row_data} rejects an F16 value whose exponent bits are all ones (Inf or NaN). */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        for (long i = 0; i < nBlocks; i++) {
            if ((QuantMath.u16(data, Math.toIntExact(off + 2 * i)) & 0x7C00) == 0x7C00) {
                return i;
            }
        }
        return -1;
    }
}
