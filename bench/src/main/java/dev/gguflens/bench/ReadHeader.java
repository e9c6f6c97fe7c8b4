package dev.gguflens.bench;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Times reading a file's header through the library, from a fresh JVM: the first parse (cold code, as a
 * command-line run pays it) and a few more. {@code java -cp benchmarks.jar dev.gguflens.bench.ReadHeader FILE [RUNS]}
 */
public final class ReadHeader {
    private ReadHeader() {
    }

    public static void main(String[] args) throws IOException, GgufFormatException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ReadHeader FILE [RUNS]");
            System.exit(2);
        }
        Path path = Path.of(args[0]);
        int runs = args.length == 2 ? Integer.parseInt(args[1]) : 5;
        for (int r = 1; r <= runs; r++) {
            long t0 = System.nanoTime();
            long parameters = 0, bytes = 0;
            int tensors, keys;
            long size;
            try (GgufFile f = GgufReader.open(path)) {
                for (TensorInfo t : f.tensors()) {
                    parameters += t.elements();
                    bytes += t.bytes();
                }
                tensors = f.tensors().size();
                keys = f.metadata().size();
                size = f.fileSize();
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf(Locale.ROOT, "run %d: %.1f ms  (%d keys, %d tensors, %,d parameters, %,d tensor bytes, file %,d bytes)%n",
                    r, ms, keys, tensors, parameters, bytes, size);
        }
        System.out.printf(Locale.ROOT, "JVM up %d ms at exit%n", ManagementFactory.getRuntimeMXBean().getUptime());
    }
}
