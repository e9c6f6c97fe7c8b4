package dev.gguflens.bench;

import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times reading a file's header through the library from a fresh JVM: the first parse (cold code, as
 * every command-line run pays it), then more, with the wall time and this thread's CPU time of each. CPU
 * time is what to compare on a busy machine, where wall time also counts waiting for a core.
 *
 * <pre>java -cp benchmarks.jar dev.gguflens.bench.ReadHeader [--walk-arrays] FILE [RUNS]</pre>
 */
public final class ReadHeader {
    private ReadHeader() {
    }

    public static void main(String[] args) throws IOException, GgufFormatException {
        boolean walk = args.length > 0 && args[0].equals("--walk-arrays");
        String[] rest = walk ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (rest.length < 1 || rest.length > 2) {
            System.err.println("usage: ReadHeader [--walk-arrays] FILE [RUNS]");
            System.exit(2);
        }
        Path path = Path.of(rest[0]);
        int runs = rest.length == 2 ? Integer.parseInt(rest[1]) : 5;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] wall = new double[runs], cpu = new double[runs];
        for (int r = 0; r < runs; r++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            String summary = readOnce(path, walk);
            wall[r] = (System.nanoTime() - t0) / 1e6;
            cpu[r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
            if (r < 5 || r == runs - 1) {
                System.out.printf(Locale.ROOT, "run %d: %.1f ms wall, %.1f ms CPU  (%s)%n", r + 1, wall[r], cpu[r], summary);
            }
        }
        if (runs >= 10) {
            // The second half: the code is compiled by then, as in a warm JMH measurement.
            System.out.printf(Locale.ROOT, "runs %d..%d: median %.1f ms wall, %.1f ms CPU%n", runs / 2 + 1, runs,
                    median(Arrays.copyOfRange(wall, runs / 2, runs)), median(Arrays.copyOfRange(cpu, runs / 2, runs)));
        }
        System.out.printf(Locale.ROOT, "JVM up %d ms at exit%n", ManagementFactory.getRuntimeMXBean().getUptime());
    }

    /** Opens, validates and summarizes the file as {@code inspect --no-metadata} must; optionally decodes every array element. */
    private static String readOnce(Path path, boolean walk) throws IOException, GgufFormatException {
        try (GgufFile f = GgufReader.open(path)) {
            long parameters = 0, bytes = 0, elements = 0;
            for (TensorInfo t : f.tensors()) {
                parameters += t.elements();
                bytes += t.bytes();
            }
            if (walk) {
                for (MetadataEntry e : f.metadata()) {
                    if (e.value() instanceof GgufArray a) {
                        for (GgufValue v : a) {
                            elements += v instanceof GgufValue.Str s ? s.text().length() : 1;
                        }
                    }
                }
            }
            return String.format(Locale.ROOT, "%d keys, %d tensors, %,d parameters, %,d tensor bytes, file %,d bytes%s",
                    f.metadata().size(), f.tensors().size(), parameters, bytes, f.fileSize(),
                    walk ? ", " + elements + " array characters/elements" : "");
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
