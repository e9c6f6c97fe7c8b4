package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;

/**
 * NVFP4 {@code {u8 d[4]; u8 qs[32]}}: 64 E2M1 values in 4 sub-blocks of 16, each under a UE4M3 scale,
 * {@code quantize_row_nvfp4_ref} and {@code dequantize_row_nvfp4} (quantizers.md §3 "NVFP4", ggml-types.md §5).
 * llama-quantize cannot target it in the pinned build; files arrive pre-quantized.
 */
final class NVFP4Codec implements BlockCodec {
    private static final int QK = 64;
    private static final int SUB = 16;
    private static final int BYTES = 36;

    @Override
    public GgmlType type() {
        return GgmlType.NVFP4;
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] x, int xOff, byte[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int yb = yOff + i * BYTES;
            for (int s = 0; s < QK / SUB; s++) {
                int xb = xOff + i * QK + s * SUB;
                float amax = 0.0f;
                for (int j = 0; j < SUB; j++) {
                    if (amax < Math.abs(x[xb + j])) {
                        amax = Math.abs(x[xb + j]);
                    }
                }
                int ue = Fp4.ue4m3FromFloat(amax / 6.0f);
                y[yb + s] = (byte) ue;
                // The codes use the encoded scale, not amax/6.
                float dd = Fp4.ue4m3ToFloat(ue);
                for (int j = 0; j < SUB / 2; j++) {
                    int x0 = Fp4.bestIndex(x[xb + j], dd);
                    int x1 = Fp4.bestIndex(x[xb + SUB / 2 + j], dd);
                    y[yb + 4 + s * (SUB / 2) + j] = (byte) (x0 | x1 << 4);
                }
            }
        }
    }

    @Override
    public void dequantize(byte[] src, int srcOff, float[] y, int yOff, int n) {
        int nb = BlockChecks.blocks(type(), n);
        for (int i = 0; i < nb; i++) {
            int b = srcOff + i * BYTES;
            for (int s = 0; s < QK / SUB; s++) {
                float ds = Fp4.ue4m3ToFloat(src[b + s] & 0xFF);
                int yb = yOff + i * QK + s * SUB;
                for (int j = 0; j < SUB / 2; j++) {
                    int q = src[b + 4 + s * (SUB / 2) + j] & 0xFF;
                    y[yb + j] = Fp4.KVALUES[q & 0x0F] * ds;
                    y[yb + j + SUB / 2] = Fp4.KVALUES[q >>> 4] * ds;
                }
            }
        }
    }

    // ggml_validate_row_data accepts every NVFP4 block (all UE4M3 bytes decode to finite values): the default -1.
}
