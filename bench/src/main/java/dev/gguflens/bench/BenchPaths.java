package dev.gguflens.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/** Where the benchmarks find llama.cpp's oracle folder: {@code -Dgguflens.oracle}, else the path the pom baked in. */
public final class BenchPaths {
    static final String ORACLE_PROPERTY = "gguflens.oracle";

    private BenchPaths() {
    }

    /** The oracle folder, or empty when it is not there (a clone without {@code ../shared}). */
    public static Optional<Path> oracle() {
        String dir = System.getProperty(ORACLE_PROPERTY);
        if (dir == null || dir.isBlank()) {
            dir = baked().getProperty(ORACLE_PROPERTY);
        }
        // An unfiltered placeholder means the jar was built outside Maven: treat it as unset.
        if (dir == null || dir.isBlank() || dir.startsWith("${")) {
            return Optional.empty();
        }
        Path p = Path.of(dir).toAbsolutePath().normalize();
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** A file of the oracle, with a message saying how to point at the oracle when it is missing. */
    public static Path oracleFile(String relative) {
        Path dir = oracle().orElseThrow(() -> new IllegalStateException(
                "the llama.cpp oracle folder is missing: build from a checkout beside shared/ or pass -D"
                        + ORACLE_PROPERTY + "=DIR"));
        Path f = dir.resolve(relative);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException("oracle file " + f + " is missing");
        }
        return f;
    }

    private static Properties baked() {
        Properties p = new Properties();
        try (InputStream in = BenchPaths.class.getResourceAsStream("bench.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
