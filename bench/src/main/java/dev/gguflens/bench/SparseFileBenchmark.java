package dev.gguflens.bench;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening a full-size model file and reading its header: a sparse file made by {@link SparseModel} once per
 * trial (a few MB on disk whatever its size), mapped whole as {@code gguflens inspect} maps it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class SparseFileBenchmark {
    /** A preset name (F16), or "issue-60gb" for issue 2's case: about 60 GB in about 700 tensors (Q6_K, as a 70B model of that size is). */
    @Param({"llama3-70b", "issue-60gb"})
    public String model;

    private Path dir;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException, GgufFormatException {
        dir = Files.createTempDirectory("gguflens-bench-");
        file = dir.resolve(model + ".gguf");
        String[] args = model.equals("issue-60gb")
                ? new String[] {"--type", "Q6_K", "--tensors", "700", "--gb", "60", file.toString()}
                : new String[] {"--preset", model, file.toString()};
        SparseModel.run(args);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    /** Map, parse and validate the header, add up what a summary needs (parameters, tensor bytes), unmap. */
    @Benchmark
    public long openAndSummarize() throws IOException, GgufFormatException {
        try (GgufFile f = GgufReader.open(file)) {
            long parameters = 0, bytes = 0;
            for (TensorInfo t : f.tensors()) {
                parameters += t.elements();
                bytes += t.bytes();
            }
            return parameters ^ bytes ^ f.architecture().orElse("").length();
        }
    }
}
