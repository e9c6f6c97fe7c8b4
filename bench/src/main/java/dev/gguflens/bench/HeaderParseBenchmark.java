package dev.gguflens.bench;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing the header of a large-vocabulary model: Llama-3-70B's 724 tensor infos and keys, a tokenizer
 * of 128,256 tokens (with types and scores) and 280,147 merges, a 3.9 KB chat template. Issue 2's goal:
 * under 100 ms per parse, warm.
 *
 * <p>The tensors keep their names and ranks but get miniature dimensions, so the whole file fits in a byte
 * array (the reader insists that tensor data lies inside the file); parsing costs the same, since the
 * reader never touches tensor data. {@code SparseFileBenchmark} reads the same header at full size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class HeaderParseBenchmark {
    private byte[] image;
    private Path dir;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException, GgufFormatException {
        SyntheticTokenizer tokenizer = SyntheticTokenizer.llama3Like(SparseModel.SEED);
        // 70B's layer count and tensor names; n_embd 64 and n_ff 128 keep the data section to about 33 MB.
        ModelShape miniature = ModelShape.LLAMA3_70B.withAttention(64, 8, 1).withFeedForward(128);
        GgufWriter.Layout layout = miniature.layout(tokenizer);
        image = new byte[Math.toIntExact(layout.fileSize())];
        System.arraycopy(layout.header(), 0, image, 0, layout.header().length);
        dir = Files.createTempDirectory("gguflens-bench-");
        file = dir.resolve("header-70b-miniature.gguf");
        Files.write(file, image);
        try (GgufFile f = GgufReader.read(image)) {
            if (f.tensors().size() != 724 || tokens(f).count() != SyntheticTokenizer.LLAMA3_VOCAB) {
                throw new IllegalStateException("benchmark file is not what it should be: " + f.tensors().size() + " tensors");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    /** Map the file, parse and validate the header, unmap. */
    @Benchmark
    public int parseFile() throws IOException, GgufFormatException {
        try (GgufFile f = GgufReader.open(file)) {
            return f.tensors().size() + f.metadata().size();
        }
    }

    /** Parse and validate the header from a byte array (no file system, no mapping). */
    @Benchmark
    public int parseBytes() throws GgufFormatException {
        try (GgufFile f = GgufReader.read(image)) {
            return f.tensors().size() + f.metadata().size();
        }
    }

    /** Parse, then decode every token to a String, as {@code inspect --full-arrays} must to print them. */
    @Benchmark
    public void parseBytesAndWalkTokens(Blackhole bh) throws GgufFormatException {
        try (GgufFile f = GgufReader.read(image)) {
            for (GgufValue v : tokens(f)) {
                bh.consume(((GgufValue.Str) v).text());
            }
        }
    }

    /** Parse, then decode every element of every array (tokens, types, scores, merges). */
    @Benchmark
    public void parseBytesAndWalkAllArrays(Blackhole bh) throws GgufFormatException {
        try (GgufFile f = GgufReader.read(image)) {
            for (MetadataEntry e : f.metadata()) {
                if (e.value() instanceof GgufArray a) {
                    for (GgufValue v : a) {
                        bh.consume(v instanceof GgufValue.Str s ? s.text() : v);
                    }
                }
            }
        }
    }

    private static GgufArray tokens(GgufFile f) {
        return (GgufArray) f.value("tokenizer.ggml.tokens").orElseThrow();
    }
}
