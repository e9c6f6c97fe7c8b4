package dev.gguflens.bench;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.ImportanceUse;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Block codec throughput, the way llama.cpp's test-quantize-perf measures its own: 32 MiB of float32
 * (8 Mi values, Gaussian with standard deviation 0.02, fixed seed), rows of 4096, one thread. One
 * operation is the whole buffer, so MB/s = 33.554432 × ops/s. {@code quantize} reads the floats;
 * {@code dequantize} decodes the reference's bytes of them back into floats.
 *
 * <p>The parameter {@code codec} is {@code TYPE:ref} (the scalar {@code quant.ref} port) or
 * {@code TYPE:simd} (what {@code Codecs.forType} selects: the Vector API twin at the CPU's preferred
 * width). Types without a vectorized twin run as {@code ref} only, which is what the selection hands out
 * for them anyway.
 *
 * <p>{@code TYPE:ref:imatrix} and {@code TYPE:simd:imatrix} measure the weighted encoders instead:
 * {@code quantize} is then one {@code quantizeRows} call over all 2048 rows with an importance vector of 4096
 * fixed positive values, as ggml's {@code ggml_quantize_chunk(type, x, q, 0, 2048, 4096, imatrix)} is
 * measured by the oracle tool's {@code perf-imatrix} mode (see {@code bench/ggml-perf/}), which uses the same
 * vector ({@link #importance()}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CodecBenchmark {
    static final int VALUES = 8 * 1024 * 1024;
    static final int ROW = 4096;
    static final long SEED = 42;

    @Param({"Q2_K:ref", "Q2_K:simd", "Q3_K:ref", "Q3_K:simd", "Q4_K:ref", "Q4_K:simd", "Q5_K:ref", "Q5_K:simd",
            "Q6_K:ref", "Q6_K:simd", "Q8_0:ref", "Q8_0:simd", "Q4_0:ref", "Q4_0:simd", "Q4_1:ref", "Q4_1:simd",
            "Q5_0:ref", "Q5_0:simd", "Q5_1:ref", "Q5_1:simd",
            "IQ4_NL:ref", "IQ4_NL:simd", "IQ4_XS:ref", "IQ4_XS:simd", "TQ1_0:ref", "TQ2_0:ref", "MXFP4:ref",
            "Q2_K:ref:imatrix", "Q2_K:simd:imatrix", "Q3_K:ref:imatrix", "Q3_K:simd:imatrix",
            "Q4_K:ref:imatrix", "Q4_K:simd:imatrix", "Q5_K:ref:imatrix", "Q5_K:simd:imatrix",
            "Q6_K:ref:imatrix", "Q6_K:simd:imatrix", "Q4_0:ref:imatrix", "Q4_0:simd:imatrix",
            "Q4_1:ref:imatrix", "Q4_1:simd:imatrix", "Q5_0:ref:imatrix", "Q5_0:simd:imatrix",
            "Q5_1:ref:imatrix", "Q5_1:simd:imatrix"})
    public String codec;

    private BlockCodec impl;
    private float[] input;
    private byte[] encoded;
    private float[] decoded;
    private int rowBytes;
    /** The importance vector of a {@code :imatrix} codec, else null. */
    private float[] importance;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = codec.split(":");
        GgmlType type = GgmlType.byName(parts[0]).orElseThrow();
        BlockCodec ref = Codecs.reference(type).orElseThrow();
        impl = switch (parts[1]) {
            case "ref" -> ref;
            case "simd" -> Codecs.forType(type).orElseThrow();
            default -> throw new IllegalArgumentException("codec " + codec + ": expected TYPE:ref or TYPE:simd");
        };
        if (parts.length == 3) {
            if (!parts[2].equals("imatrix") || impl.importanceUse() == ImportanceUse.IGNORED) {
                throw new IllegalArgumentException("codec " + codec + ": expected TYPE:ref:imatrix or TYPE:simd:imatrix for a type that uses importance weights");
            }
            importance = importance();
        }
        if (parts[1].equals("simd") && impl.getClass() == ref.getClass()) {
            throw new IllegalStateException(codec + ": the selection (" + Codecs.implementation()
                    + ") has no vectorized codec for " + type + "; run with --add-modules jdk.incubator.vector");
        }
        Random r = new Random(SEED);
        input = new float[VALUES];
        for (int i = 0; i < VALUES; i++) {
            input[i] = (float) (0.02 * r.nextGaussian());
        }
        rowBytes = ref.encodedBytes(ROW);
        encoded = new byte[VALUES / ROW * rowBytes];
        for (int row = 0; row < VALUES / ROW; row++) {
            // through quantizeRows: the types encoded only with weights have no plain encoder
            ref.quantizeRows(input, row * ROW, encoded, row * rowBytes, 1, ROW, importance, 0);
        }
        decoded = new float[VALUES];
    }

    /**
     * A fixed positive importance vector of {@value #ROW} values, exact in binary32: the LCG of
     * reference/quantizers-imatrix.md §6 (seed 7, one step per value), {@code w = (1 + f)·2^e} with
     * {@code e = (s >> 29) - 4} and {@code f = ((s >> 13) & 1023)/1024}, so in [1/16, 16).
     */
    static float[] importance() {
        float[] w = new float[ROW];
        int s = 7;
        for (int j = 0; j < ROW; j++) {
            s = s * 1664525 + 1013904223;
            w[j] = Math.scalb(1.0f + (float) ((s >>> 13) & 1023) / 1024.0f, (s >>> 29) - 4);
        }
        return w;
    }

    @Benchmark
    public byte[] quantize() {
        if (importance != null) {
            impl.quantizeRows(input, 0, encoded, 0, VALUES / ROW, ROW, importance, 0);
            return encoded;
        }
        for (int row = 0; row < VALUES / ROW; row++) {
            impl.quantize(input, row * ROW, encoded, row * rowBytes, ROW);
        }
        return encoded;
    }

    @Benchmark
    public float[] dequantize() {
        for (int row = 0; row < VALUES / ROW; row++) {
            impl.dequantize(encoded, row * rowBytes, decoded, row * ROW, ROW);
        }
        return decoded;
    }
}
