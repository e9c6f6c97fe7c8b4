package dev.gguflens.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find their inputs: {@code testdata/} (always) and the llama.cpp oracle (when present). */
public final class TestFiles {
    private TestFiles() {
    }

    /** The repository's {@code testdata/} folder. */
    public static Path testdata() {
        return Path.of(System.getProperty("gguflens.testdata", "testdata"));
    }

    public static Path testdata(String name) {
        return testdata().resolve(name);
    }

    /** The oracle folder ({@code ../shared/oracle}); skips the calling test, saying why, when it is absent. */
    public static Path oracle() {
        Path p = Path.of(System.getProperty("gguflens.oracle", "../shared/oracle"));
        assumeTrue(Files.isDirectory(p.resolve("files")),
                "oracle not found at " + p.toAbsolutePath() + " (set -Dgguflens.oracle=DIR): the oracle suite"
                        + " (listings, codecs and whole files against llama.cpp's outputs) is skipped; the core tests still run");
        return p;
    }

    public static Path oracle(String relative) {
        return oracle().resolve(relative);
    }
}
