package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.BadGguf;
import dev.gguflens.testing.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every crafted bad file, as a user meets it: exit code 3, exactly one line on stderr with the byte offset, nothing on stdout. */
class InspectBadFilesTest {

    static Stream<BadGguf.Case> cases() {
        return BadGguf.all().stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aBadFileIsOneLineAndExitCodeThree(BadGguf.Case bad, @TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("bad.gguf");
        Files.write(file, bad.bytes());
        CommandRun run = CommandRun.of("inspect", file.toString());
        assertEquals(ExitCode.INVALID_GGUF, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        String line = run.errLines().get(0);
        assertTrue(line.startsWith("gguflens: " + file + ": "), line);
        assertTrue(line.endsWith("(at byte " + bad.offset() + ")"), line);
        assertFalse(line.contains("Exception") || line.contains("\tat "), line);
        assertEquals("", run.out());
    }
}
