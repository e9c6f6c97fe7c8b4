package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a user sees when inspect cannot list a file: one line on stderr, the documented exit code, nothing on stdout. */
class InspectErrorsTest {

    private static void assertOneLineFailure(CommandRun run, int exitCode, String expectedLine) {
        assertEquals(exitCode, run.exitCode(), run::toString);
        assertEquals("", run.out(), "nothing on stdout");
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.errLines().getFirst().matches(expectedLine), run.errLines().getFirst() + " !~ " + expectedLine);
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void missingFileIsAnIoError(@TempDir Path tmp) {
        Path missing = tmp.resolve("missing.gguf");
        assertOneLineFailure(CommandRun.of("inspect", missing.toString()), ExitCode.IO,
                "gguflens: " + java.util.regex.Pattern.quote(missing.toString()) + ": no such file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--json", "--markdown"})
    void directoryIsAnIoError(String mode, @TempDir Path tmp) {
        CommandRun run = mode.isEmpty() ? CommandRun.of("inspect", tmp.toString()) : CommandRun.of("inspect", mode, tmp.toString());
        assertOneLineFailure(run, ExitCode.IO,
                "gguflens: " + java.util.regex.Pattern.quote(tmp.toString()) + ": is a directory, not a GGUF file");
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 100, 5000, 13_000, 2_000_000, 2_901_759})
    void truncatedCopyIsAFormatErrorNamingTheByteOffset(int keep, @TempDir Path tmp) throws Exception {
        // Cuts in the magic, the metadata, the tensor infos, the data section, and the file's last byte
        // (the last tensor ends the file: it has no trailing padding to lose).
        byte[] all = Files.readAllBytes(TestFiles.testdata("tiny-gqa-f16.gguf"));
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(all, keep));
        CommandRun run = CommandRun.of("inspect", cut.toString());
        assertOneLineFailure(run, ExitCode.INVALID_GGUF,
                "gguflens: " + java.util.regex.Pattern.quote(cut.toString()) + ": .+ \\(at byte \\d+\\)");
    }

    @Test
    void notAGgufFileIsAFormatError(@TempDir Path tmp) throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.gguf"), "hello, this is not a model\n");
        assertOneLineFailure(CommandRun.of("inspect", "--json", text.toString()), ExitCode.INVALID_GGUF,
                "gguflens: .*notes\\.gguf: not a GGUF file: the magic is 'hell' \\(68 65 6c 6c\\), expected 'GGUF' \\(47 47 55 46\\) \\(at byte 0\\)");
    }

    @Test
    void invalidRegexIsAUsageError() {
        CommandRun run = CommandRun.of("inspect", "--tensors", "attn_(q", TestFiles.testdata("tiny-gqa-f16.gguf").toString());
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertTrue(run.errLines().getFirst().startsWith("gguflens: Invalid value for option '--tensors': invalid regular "
                + "expression 'attn_(q': Unclosed group"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void jsonAndMarkdownTogetherIsAUsageError() {
        CommandRun run = CommandRun.of("inspect", "--json", "--markdown", TestFiles.testdata("tiny-gqa-f16.gguf").toString());
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertEquals("gguflens: --json and --markdown cannot be used together", run.errLines().getFirst());
    }

    @Test
    void missingFileArgumentIsAUsageError() {
        CommandRun run = CommandRun.of("inspect");
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("Missing required parameter: 'FILE'"), run.err());
    }
}
