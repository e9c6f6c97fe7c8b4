package dev.gguflens.cli;

import static dev.gguflens.cli.SimulateRuns.F16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.Fixtures;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What a user sees when simulate cannot run: the documented exit code, a clear message, nothing on stdout, no stack trace. */
class SimulateErrorsTest {

    private static void assertFailure(CommandRun run, int exitCode, String firstLinePattern) {
        assertEquals(exitCode, run.exitCode(), run::toString);
        assertEquals("", run.out(), "nothing on stdout");
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), "no stack trace: " + run.err());
        assertTrue(Pattern.compile(firstLinePattern).matcher(run.errLines().getFirst()).matches(),
                run.errLines().getFirst() + " !~ " + firstLinePattern);
        if (exitCode == ExitCode.USAGE) {
            assertEquals(List.of("Try 'gguflens simulate --help' for more information."), run.errLines().subList(1, run.errLines().size()));
        } else {
            assertEquals(1, run.errLines().size(), run::toString);
        }
    }

    static Stream<Arguments> usageErrors() {
        return Stream.of(
                Arguments.of(List.of("--to", "Q4_K_X"), "gguflens: Invalid value for option '--to' \\(FTYPE\\): unknown file type 'Q4_K_X'; valid: "
                        + "F32, F16, Q4_0, .*Q4_K_M, .*Q2_0 \\(any case; also llama.cpp's enum name, e.g. MOSTLY_Q4_K_M, or the number\\)"),
                Arguments.of(List.of("--to", "q4_k_m,bogus"), ".*unknown file type 'bogus'; valid: .*"),
                Arguments.of(List.of("--to", "4"), ".*'--to' \\(FTYPE\\): file type '4' was removed from llama.cpp; valid: .*"),
                Arguments.of(List.of("--to", "Q4_0_4_4"), ".*file type 'Q4_0_4_4' was removed from llama.cpp; valid: .*"),
                Arguments.of(List.of("--to", "99"), ".*unknown file type '99'; valid: .*"),
                Arguments.of(List.of("--to", "Q4_K_M", "--output-tensor-type", "q9"),
                        ".*'--output-tensor-type': unknown tensor type 'q9'; valid types: f32, f16, q4_0, .*q8_0, .*q6_K, .*q2_0"),
                Arguments.of(List.of("--to", "Q4_K_M", "--token-embedding-type", "q4_2"), ".*unknown tensor type 'q4_2'; valid types: .*"),
                Arguments.of(List.of("--to", "Q4_K_M", "--tensor-type", "attn_v"), ".*malformed tensor type 'attn_v': expected PATTERN=TYPE"),
                Arguments.of(List.of("--to", "Q4_K_M", "--tensor-type", "=q8_0"), ".*missing tensor name in tensor type '=q8_0'"),
                Arguments.of(List.of("--to", "Q4_K_M", "--tensor-type", "attn_v="), ".*missing quantization type in tensor type 'attn_v='"),
                Arguments.of(List.of("--to", "Q4_K_M", "--tensor-type", "x=q4_2"),
                        ".*invalid quantization type 'q4_2' in tensor type 'x=q4_2'; valid types: .*"),
                Arguments.of(List.of("--to", "Q4_K_M", "--tensor-type", "attn_(=q8_0"),
                        ".*invalid regular expression 'attn_\\(' in --tensor-type: Unclosed group.*"),
                Arguments.of(List.of(), "gguflens: a file type is required: --to FTYPE\\[,FTYPE...\\] or --all"),
                Arguments.of(List.of("--all", "--to", "Q4_0"), "gguflens: --to and --all cannot be used together"),
                Arguments.of(List.of("--all", "--json", "--markdown"), "gguflens: --json and --markdown cannot be used together"),
                Arguments.of(List.of("--all", "--assume-imatrix", "--imatrix", "x.gguf"),
                        "gguflens: --imatrix and --assume-imatrix cannot be used together"),
                Arguments.of(List.of("--to", "Q4_K_M", "--sort", "bigness"),
                        ".*'--sort': unknown order 'bigness'; valid: output, name, size, saving, type, error"),
                Arguments.of(List.of("--to", "Q4_K_M", "--tensors", "ffn_("), ".*'--tensors': invalid regular expression 'ffn_\\(': .*"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrorsExit2WithTheReason(List<String> options, String message) {
        String[] args = Stream.concat(Stream.of("simulate", F16), options.stream()).toArray(String[]::new);
        assertFailure(CommandRun.of(args), ExitCode.USAGE, message);
    }

    @Test
    void missingFileIsAnIoError(@TempDir Path tmp) {
        Path missing = tmp.resolve("missing.gguf");
        assertFailure(CommandRun.of("simulate", missing.toString(), "--all"), ExitCode.IO,
                "gguflens: " + Pattern.quote(missing.toString()) + ": no such file");
    }

    @Test
    void truncatedFileExits3WithOneLineNamingTheByteOffset(@TempDir Path tmp) throws Exception {
        byte[] all = Files.readAllBytes(TestFiles.testdata("tiny-gqa-f16.gguf"));
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(all, 5000));
        assertFailure(CommandRun.of("simulate", cut.toString(), "--to", "Q4_K_M"), ExitCode.INVALID_GGUF,
                "gguflens: " + Pattern.quote(cut.toString()) + ": .+ \\(at byte \\d+\\)");
    }

    @Test
    void aModelLlamaQuantizeCannotLoadExits3(@TempDir Path tmp) throws Exception {
        Path noArch = Fixtures.write(tmp.resolve("no-arch.gguf"), List.of(Fixtures.u32("general.file_type", 1)),
                List.of(Fixtures.tensor("token_embd.weight", GgmlType.F16, 256, 4)));
        assertFailure(CommandRun.of("simulate", noArch.toString(), "--all"), ExitCode.INVALID_GGUF,
                "gguflens: " + Pattern.quote(noArch.toString())
                        + ": key 'general.architecture' is missing: llama-quantize cannot load the model");
    }

    @Test
    void missingImatrixIsAnIoError(@TempDir Path tmp) {
        Path missing = tmp.resolve("imatrix.gguf");
        assertFailure(CommandRun.of("simulate", F16, "--to", "IQ2_M", "--imatrix", missing.toString()), ExitCode.IO,
                "gguflens: " + Pattern.quote(missing.toString()) + ": no such file");
    }

    @Test
    void aModelGivenAsImatrixExits3() {
        assertFailure(CommandRun.of("simulate", F16, "--to", "IQ2_M", "--imatrix", F16), ExitCode.INVALID_GGUF,
                "gguflens: imatrix file " + Pattern.quote(F16) + ": missing imatrix metadata: no key 'imatrix.datasets'");
    }

    @Test
    void aRefusalAmongSeveralIsARowNotAnError() {
        CommandRun run = SimulateRuns.ok(F16, "--to", "Q4_K_M,IQ2_XXS,NVFP4");
        assertTrue(run.out().contains("llama-quantize refuses: invalid output file type 39"), run.out());
    }
}
