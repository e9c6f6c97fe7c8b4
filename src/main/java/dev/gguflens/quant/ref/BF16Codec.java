package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/** BF16: {@code ggml_fp32_to_bf16_row_ref} / {@code ggml_bf16_to_fp32_row}. */
final class BF16Codec implements BlockCodec {
    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            QuantMath.putU16(dst, dstOff + 2 * i, Fp16.bf16FromFloat(src[srcOff + i]));
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Fp16.bf16ToFloat((short) QuantMath.u16(src, srcOff + 2 * i));
        }
    }

    /** {@code ggml_validate_row_data} rejects a BF16 value that is NaN or infinite (exponent bits all ones). */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        for (long i = 0; i < nBlocks; i++) {
            if ((QuantMath.u16(data, Math.toIntExact(off + 2 * i)) & 0x7F80) == 0x7F80) {
                return i;
            }
        }
        return -1;
    }
}
