package dev.gguflens.bench;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
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
            "IQ4_NL:ref", "IQ4_NL:simd", "IQ4_XS:ref", "IQ4_XS:simd", "TQ1_0:ref", "TQ2_0:ref", "MXFP4:ref"})
    public String codec;

    private BlockCodec impl;
    private float[] input;
    private byte[] encoded;
    private float[] decoded;
    private int rowBytes;

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
            ref.quantize(input, row * ROW, encoded, row * rowBytes, ROW);
        }
        decoded = new float[VALUES];
    }

    @Benchmark
    public byte[] quantize() {
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
