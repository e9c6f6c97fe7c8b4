package dev.gguflens.quant.ref;

import dev.gguflens.quant.BlockCodec;

/**
 * Base of the IQ types gguflens decodes but does not encode (yet): llama-quantize writes IQ2_XXS, IQ2_XS,
 * IQ2_S, IQ3_XXS, IQ1_S and IQ1_M only with an importance matrix (llama-quantize-rules.md §10), and their
 * weighted quantizers (reference/quantizers-imatrix.md) are a later issue's. Subclasses decode one
 * 256-value block.
 */
abstract sealed class DecodeOnlyIqCodec implements BlockCodec
        permits Iq2XxsCodec, Iq2XsCodec, Iq2SCodec, Iq3XxsCodec, Iq1SCodec, Iq1MCodec {
    static final int QK_K = 256;

    @Override
    public final boolean canQuantize() {
        return false;
    }

    @Override
    public final void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        throw new UnsupportedOperationException(type().name() + " cannot be quantized by gguflens yet (llama-quantize writes it only with an importance matrix)");
    }

    @Override
    public final void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        int bytes = type().typeSize();
        for (int b = 0; b < n / QK_K; b++) {
            decodeBlock(src, srcOff + b * bytes, dst, dstOff + b * QK_K);
        }
    }

    /** {@code ggml_validate_row_data}: these types check their fp16 super-block scale only. */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        int bytes = type().typeSize();
        for (long b = 0; b < nBlocks; b++) {
            if (scaleNonFinite(data, Math.toIntExact(off + b * bytes))) {
                return b;
            }
        }
        return -1;
    }

    /** Whether the block at {@code off} has a NaN or infinite super-block scale; {@code d} is the fp16 at offset 0 unless overridden. */
    boolean scaleNonFinite(byte[] block, int off) {
        return QuantMath.f16NonFinite(block, off);
    }

    /** Decodes the 256 values of the block at {@code off} into {@code y} from {@code yOff}, as ggml's {@code dequantize_row_*}. */
    abstract void decodeBlock(byte[] b, int off, float[] y, int yOff);

    /** {@code kmask_iq2xs[j] = 1 << j}: bit j of a sign byte set means element j is negative. */
    static float sign(int signBits, int j) {
        return (signBits & (1 << j)) != 0 ? -1.0f : 1.0f;
    }
}
