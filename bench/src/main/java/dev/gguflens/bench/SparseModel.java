package dev.gguflens.bench;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Writes a sparse GGUF file: a real header (llama-shaped tensors, a large tokenizer) followed by a data
 * section that is never written, so a "140 GB" model takes a few megabytes of disk. Readers that only
 * touch the header, as {@code gguflens inspect} does, see a full-size model.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar dev.gguflens.bench.SparseModel [options] OUT.gguf
 * </pre>
 * Run with {@code --help} for the options. The class is also the library the benchmarks use
 * ({@link #write(Path, GgufWriter.Layout)}).
 */
public final class SparseModel {
    /** The tokenizer's seed: every generated file has the same vocabulary. */
    public static final long SEED = 20_250_101L;

    private static final String USAGE = """
            usage: SparseModel [options] OUT.gguf
            Writes a sparse GGUF file shaped like a llama model: the whole header, no tensor data.
              --preset NAME      llama3-8b, llama3-70b (default) or llama3-405b
              --type TYPE        type of the weight matrices (default F16; norms stay F32), e.g. Q4_K, Q8_0
              --layers N         number of layers
              --tensors N        the layer count whose tensor count is nearest N (4 + 9 per layer; 10 with experts)
              --embd N --heads N --kv-heads N   attention shape
              --ff N             feed-forward width (per expert)
              --experts N --experts-used K      Mixtral-style expert tensors
              --gb G             choose the feed-forward width so the file is about G GB (10^9 bytes); applied last
              --vocab N          tokens (default 128256: Llama 3's), of which 256 special
              --merges N         BPE merges (default 280147: Llama 3's)
              --name TEXT        general.name
            Examples:
              SparseModel 70b-f16.gguf                        # Llama-3-70B-like F16, 724 tensors, about 141 GB
              SparseModel --type Q6_K --tensors 700 --gb 60 60gb.gguf   # the issue's case: 697 tensors, about 60 GB
            """;

    private SparseModel() {
    }

    /** What a run of the generator made. */
    public record Made(Path path, ModelShape shape, GgufWriter.Layout layout) {
    }

    public static void main(String[] args) {
        try {
            Made m = run(args);
            if (m == null) {
                System.out.print(USAGE);
                return;
            }
            report(m);
        } catch (IllegalArgumentException e) {
            System.err.println("SparseModel: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (IOException e) {
            System.err.println("SparseModel: cannot write: " + e);
            System.exit(5);
        } catch (GgufFormatException e) {
            // Only reachable if the writer and reader disagree: worth saying loudly.
            System.err.println("SparseModel: the file written does not read back: " + e.getMessage());
            System.exit(3);
        }
    }

    /** Parses the options, writes the file and reads it back; null for {@code --help}. */
    static Made run(String... args) throws IOException, GgufFormatException {
        ModelShape shape = ModelShape.LLAMA3_70B;
        Integer layers = null, tensors = null, experts = null, expertsUsed = null, heads = null, kvHeads = null;
        Integer embd = null, ff = null, vocab = null;
        Double gb = null;
        GgmlType type = null;
        String name = null;
        int merges = SyntheticTokenizer.LLAMA3_MERGES;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--preset" -> shape = ModelShape.preset(value(args, ++i, a));
                case "--type" -> {
                    String t = value(args, ++i, a);
                    type = GgmlType.byName(t).orElseThrow(() -> new IllegalArgumentException("unknown type '" + t + "'"));
                }
                case "--layers" -> layers = number(args, ++i, a);
                case "--tensors" -> tensors = number(args, ++i, a);
                case "--embd" -> embd = number(args, ++i, a);
                case "--heads" -> heads = number(args, ++i, a);
                case "--kv-heads" -> kvHeads = number(args, ++i, a);
                case "--ff" -> ff = number(args, ++i, a);
                case "--experts" -> experts = number(args, ++i, a);
                case "--experts-used" -> expertsUsed = number(args, ++i, a);
                case "--vocab" -> vocab = number(args, ++i, a);
                case "--merges" -> merges = number(args, ++i, a);
                case "--name" -> name = value(args, ++i, a);
                case "--gb" -> {
                    String v = value(args, ++i, a);
                    try {
                        gb = Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(a + " needs a number, not '" + v + "'");
                    }
                    if (!(gb > 0)) {
                        throw new IllegalArgumentException(a + " must be positive");
                    }
                }
                default -> {
                    if (a.startsWith("-") || out != null) {
                        throw new IllegalArgumentException("unexpected argument '" + a + "'");
                    }
                    out = Path.of(a);
                }
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("no output file given");
        }
        // Each override builds a checked record, so a bad combination fails here with the reason.
        if (type != null) {
            shape = shape.withWeightType(type);
        }
        if (embd != null || heads != null || kvHeads != null) {
            shape = shape.withAttention(embd != null ? (long) embd : shape.embd(), heads != null ? heads : shape.heads(),
                    kvHeads != null ? kvHeads : shape.kvHeads());
        }
        if (ff != null) {
            shape = shape.withFeedForward(ff);
        }
        if (experts != null || expertsUsed != null) {
            int n = experts != null ? experts : shape.experts();
            shape = shape.withExperts(n, expertsUsed != null ? expertsUsed : Math.min(n, 2));
        }
        if (vocab != null) {
            shape = shape.withVocab(vocab);
        }
        if (layers != null && tensors != null) {
            throw new IllegalArgumentException("give --layers or --tensors, not both");
        }
        if (layers != null) {
            shape = shape.withLayers(layers);
        }
        if (tensors != null) {
            shape = shape.withTensorCount(tensors);
        }
        if (name != null) {
            shape = shape.withName(name);
        }
        SyntheticTokenizer tokenizer = SyntheticTokenizer.generate(Math.toIntExact(shape.vocab()),
                SyntheticTokenizer.LLAMA3_SPECIAL, merges, SEED);
        if (gb != null) {
            shape = shape.withFileSize(Math.round(gb * 1e9), tokenizer);
        }
        GgufWriter.Layout layout = shape.layout(tokenizer);
        write(out, layout);
        verify(out, layout);
        return new Made(out, shape, layout);
    }

    /**
     * Writes the header and extends the file to its full size without writing the data, so the file
     * system keeps the data section as a hole. Like every gguflens output, it goes to a temporary file
     * beside {@code out} that is renamed when complete.
     */
    public static void write(Path out, GgufWriter.Layout layout) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", ".partial");
        try {
            try (RandomAccessFile f = new RandomAccessFile(tmp.toFile(), "rw")) {
                f.write(layout.header());
                // The padding after the header and all tensor data read as zeros: ggml's padding is zeros too.
                f.setLength(layout.fileSize());
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Reads the file back with the library: same tensors (names, shapes, types, offsets), same data offset, no warnings. */
    static void verify(Path file, GgufWriter.Layout layout) throws IOException, GgufFormatException {
        try (GgufFile f = GgufReader.open(file)) {
            if (!f.tensors().equals(layout.tensors())) {
                throw new IllegalStateException(file + ": the tensors read back differ from those written");
            }
            if (f.dataOffset() != layout.dataOffset() || f.fileSize() != layout.fileSize() || !f.warnings().isEmpty()) {
                throw new IllegalStateException(file + ": read back with data offset " + f.dataOffset() + ", size "
                        + f.fileSize() + ", warnings " + f.warnings() + "; expected " + layout.dataOffset() + ", "
                        + layout.fileSize() + ", none");
            }
        }
    }

    private static void report(Made m) throws IOException {
        ModelShape s = m.shape();
        GgufWriter.Layout l = m.layout();
        System.out.printf(Locale.ROOT, "%s: %s, %d layers, n_embd %d, heads %d/%d, n_ff %d%s, vocab %d, %s weights%n",
                m.path(), s.name(), s.layers(), s.embd(), s.heads(), s.kvHeads(), s.ff(),
                s.experts() > 0 ? ", " + s.experts() + " experts (" + s.expertsUsed() + " used)" : "", s.vocab(), s.weightType());
        System.out.printf(Locale.ROOT, "  %d tensors, %,d parameters (%s), file type %s%n", l.tensors().size(), s.parameters(),
                s.sizeLabel(), s.fileType().display());
        System.out.printf(Locale.ROOT, "  header %,d bytes, data offset %,d, file size %,d bytes (%.2f GB, %.2f GiB), data not written%n",
                l.header().length, l.dataOffset(), l.fileSize(), l.fileSize() / 1e9, l.fileSize() / (double) (1L << 30));
        System.out.println("  read back with GgufReader: ok");
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int number(String[] args, int i, String option) {
        String v = value(args, i, option);
        try {
            int n = Integer.parseInt(v.replace("_", ""));
            if (n < 1) {
                throw new IllegalArgumentException(option + " must be at least 1, not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number up to " + Integer.MAX_VALUE + ", not '" + v + "'");
        }
    }
}
