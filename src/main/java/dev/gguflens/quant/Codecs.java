package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.ref.Fp16;
import dev.gguflens.quant.ref.RefCodecs;
import java.util.Optional;

/**
 * The one entry point to the block codecs: callers ask for a type and get the fastest implementation
 * available, never knowing which. The scalar ports in {@code quant.ref} are the specification;
 * vectorized twins in {@code quant.simd} must produce the same bits. The implementation is chosen once,
 * at first use ({@link CodecSelection}).
 */
public final class Codecs {
    private Codecs() {
    }

    /** Holder idiom: the choice (and its one line on stderr) happens when a codec is first asked for. */
    private static final class Chosen {
        static final CodecProvider PROVIDER = CodecSelection.choose(System.err);
    }

    /** The codec for {@code type}, or empty when gguflens cannot decode it. */
    public static Optional<BlockCodec> forType(GgmlType type) {
        return Chosen.PROVIDER.codec(type);
    }

    /** The scalar reference codec for {@code type} (the bit-exact port, used by differential tests). */
    public static Optional<BlockCodec> reference(GgmlType type) {
        return Optional.ofNullable(RefCodecs.get(type));
    }

    /**
     * 16-bit values as llama-quantize reads an F16 or BF16 source ({@code ggml_fp16_to_fp32_row},
     * {@code ggml_bf16_to_fp32_row}): {@code n} of {@code src} to floats in {@code dst} from {@code dstOff}. The
     * same bits as the type's codec's dequantize, in bulk (see {@link Fp16#toFloats}, {@link Fp16#bf16ToFloats}).
     *
     * @throws IllegalArgumentException for any other type
     */
    public static void halvesToFloats(GgmlType type, short[] src, int n, float[] dst, int dstOff) {
        if (type.equals(GgmlType.F16)) {
            Fp16.toFloats(src, n, dst, dstOff);
        } else if (type.equals(GgmlType.BF16)) {
            Fp16.bf16ToFloats(src, n, dst, dstOff);
        } else {
            throw new IllegalArgumentException(type + " values are not 16-bit floats");
        }
    }

    /** The error kernel of the chosen implementation (all give the same doubles; see {@link ErrorKernel}). */
    public static ErrorKernel errorKernel() {
        return Chosen.PROVIDER.errorKernel();
    }

    /**
     * Starts the codecs: encodes, decodes and measures one synthetic super-block of Q4_K and of Q6_K, once. The
     * first vector operations of a JVM spend about 0.3 s loading, linking and initializing the Vector API's classes
     * and the codecs' own, on the thread that needs them. A command about to encode tensors runs this on a
     * background thread first ({@code cli.Warmup}), so that this happens on an otherwise idle core while the
     * command line is parsed and the file's header is read, instead of on a worker that every other worker then
     * waits for (bench/README.md: about 0.3 s of a 4 s {@code simulate --error} on two cores). Nothing depends on
     * it: the codecs keep nothing between calls that changes a result, and a failure here is left for the real
     * work to meet and report.
     */
    public static void preload() {
        try {
            float[] x = new float[GgmlType.Q4_K.blockSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.7) * 0.02f; // any values with a spread will do
            }
            float[] y = new float[x.length];
            for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
                BlockCodec codec = forType(type).orElseThrow();
                byte[] q = new byte[codec.encodedBytes(x.length)];
                codec.quantize(x, 0, q, 0, x.length);
                codec.dequantize(q, 0, y, 0, y.length);
                errorKernel().measure(x, y, 0, x.length, new PieceSums());
            }
        } catch (RuntimeException | LinkageError e) {
            // only a head start: whatever failed here fails again where it matters, and is reported there
        }
    }

    /** Which implementation {@link #forType} hands out, for diagnostics (e.g. {@code vector 512-bit}, {@code scalar}). */
    public static String implementation() {
        return Chosen.PROVIDER.description();
    }
}
