package dev.gguflens.bench;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fixed cost of opening a small file written by llama.cpp itself (from the oracle folder, found through
 * {@code gguflens.oracle}): mapping, parsing, unmapping, with almost no header to read.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class OracleFileBenchmark {
    @Param({"files/tiny-gqa-f16.gguf"})
    public String oracleFile;

    private Path file;

    @Setup
    public void setUp() {
        file = BenchPaths.oracleFile(oracleFile);
    }

    @Benchmark
    public int open() throws IOException, GgufFormatException {
        try (GgufFile f = GgufReader.open(file)) {
            return f.tensors().size() + f.metadata().size();
        }
    }
}
