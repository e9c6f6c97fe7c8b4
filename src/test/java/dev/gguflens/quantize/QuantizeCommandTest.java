package dev.gguflens.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.cli.ExitCode;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.sim.Cancellation;
import dev.gguflens.sim.CancelledException;
import dev.gguflens.sim.PipelineSettings;
import dev.gguflens.sim.Progress;
import dev.gguflens.sim.ProgressListener;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.GeneratedModel;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user of {@code gguflens quantize} relies on: the right bytes, and no damage when something goes wrong. */
class QuantizeCommandTest {
    private static final Path SOURCE = TestFiles.testdata("tiny-gqa-f16.gguf");
    /** llama.cpp's own Q4_K_M of the source (testdata/README.md). */
    private static final Path LLAMA_Q4_K_M = TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf");

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static void assertOneLineFailure(CommandRun run, int code, String... parts) {
        assertEquals(code, run.exitCode(), run::toString);
        assertEquals("", run.out(), "nothing on stdout");
        assertTrue(run.errLines().size() <= 2, run::toString); // picocli adds "Try ... --help" to usage errors
        for (String p : parts) {
            assertTrue(run.err().contains(p), "'" + p + "' in " + run.err());
        }
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), "no stack trace: " + run.err());
    }

    @Test
    void writesLlamaQuantizesQ4KMFileByteForByte(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("q4km.gguf");
        CommandRun run = CommandRun.of("quantize", SOURCE.toString(), out.toString(), "q4_k_m");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(QuantizeOracleTest.sha256(LLAMA_Q4_K_M), QuantizeOracleTest.sha256(out));
        assertEquals(List.of(out + ": Q4_K_M (Q4_K - Medium), 21 tensors (16 quantized, 5 copied), 884.06 KiB (905,280 bytes), "
                + "4.95 bits per weight, "), List.of(run.out().replaceAll("[0-9.]+ s\\R$", "")));
        assertEquals("", run.err(), "quiet on stderr when it is not a terminal");
        assertEquals(List.of(out), files(tmp));
    }

    /** Not the owner-only mode of a temporary file: the mode any new file gets here, as llama-quantize's output does. */
    @Test
    void theOutputGetsTheUsualModeOfANewFile(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("q.gguf");
        assertEquals(0, CommandRun.of("quantize", SOURCE.toString(), out.toString(), "Q8_0").exitCode());
        Path plain = Files.createFile(tmp.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
    }

    @Test
    void theThreadCountDoesNotChangeTheBytes(@TempDir Path tmp) throws Exception {
        Path one = tmp.resolve("one.gguf");
        Path three = tmp.resolve("three.gguf");
        assertEquals(0, CommandRun.of("quantize", "-t", "1", SOURCE.toString(), one.toString(), "Q4_K_M").exitCode());
        assertEquals(0, CommandRun.of("quantize", "--threads", "3", SOURCE.toString(), three.toString(), "Q4_K_M").exitCode());
        assertEquals(QuantizeOracleTest.sha256(LLAMA_Q4_K_M), QuantizeOracleTest.sha256(one));
        assertEquals(QuantizeOracleTest.sha256(LLAMA_Q4_K_M), QuantizeOracleTest.sha256(three));
    }

    @Test
    void verbosePrintsALinePerTensorOnStderr(@TempDir Path tmp) {
        CommandRun run = CommandRun.of("quantize", "--verbose", SOURCE.toString(), tmp.resolve("o.gguf").toString(), "Q8_0");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(21, run.errLines().size(), run::toString);
        assertEquals("[ 1/21] output.weight: F16 -> Q8_0, 256.00 KiB -> 136.00 KiB", run.errLines().getFirst());
        assertEquals("[ 2/21] output_norm.weight: F32, copied, 1.00 KiB", run.errLines().get(1));
        assertEquals(1, run.outLines().size());
    }

    @Test
    void refusesToWriteOverTheInputHoweverItIsSpelled(@TempDir Path tmp) throws Exception {
        Path in = Files.copy(SOURCE, tmp.resolve("model.gguf"));
        String before = QuantizeOracleTest.sha256(in);
        Path link = Files.createSymbolicLink(tmp.resolve("link.gguf"), in);
        Files.createDirectory(tmp.resolve("sub"));
        for (String out : List.of(in.toString(), link.toString(), tmp.resolve("sub/../model.gguf").toString())) {
            for (String force : List.of("--threads=1", "--force")) {
                CommandRun run = CommandRun.of("quantize", force, in.toString(), out, "Q8_0");
                assertOneLineFailure(run, ExitCode.USAGE, "is the input file");
            }
        }
        assertEquals(before, QuantizeOracleTest.sha256(in));
        assertEquals(List.of(link, in, tmp.resolve("sub")), files(tmp));
    }

    @Test
    void anExistingOutputIsReplacedOnlyWithForce(@TempDir Path tmp) throws Exception {
        Path out = Files.writeString(tmp.resolve("out.gguf"), "precious");
        assertOneLineFailure(CommandRun.of("quantize", SOURCE.toString(), out.toString(), "Q4_K_M"), ExitCode.IO,
                "out.gguf: already exists; use --force to replace it");
        assertEquals("precious", Files.readString(out));
        assertEquals(0, CommandRun.of("quantize", "--force", SOURCE.toString(), out.toString(), "Q4_K_M").exitCode());
        assertEquals(QuantizeOracleTest.sha256(LLAMA_Q4_K_M), QuantizeOracleTest.sha256(out));
        assertEquals(List.of(out), files(tmp));
    }

    @Test
    void badOutputPathsAndUsage(@TempDir Path tmp) throws Exception {
        assertOneLineFailure(CommandRun.of("quantize", SOURCE.toString(), tmp.toString(), "Q8_0"), ExitCode.IO, "is a directory");
        assertOneLineFailure(CommandRun.of("quantize", SOURCE.toString(), tmp.resolve("no/such/out.gguf").toString(), "Q8_0"),
                ExitCode.IO, "its folder does not exist");
        assertOneLineFailure(CommandRun.of("quantize", SOURCE.toString(), tmp.resolve("o.gguf").toString(), "Q9_K"),
                ExitCode.USAGE, "unknown file type 'Q9_K'");
        assertOneLineFailure(CommandRun.of("quantize", "--tensor-type", "attn_v", SOURCE.toString(), tmp.resolve("o.gguf").toString(), "Q8_0"),
                ExitCode.USAGE, "expected PATTERN=TYPE");
        assertOneLineFailure(CommandRun.of("quantize", "--output-tensor-type", "q9", SOURCE.toString(), tmp.resolve("o.gguf").toString(), "Q8_0"),
                ExitCode.USAGE, "unknown tensor type 'q9'");
        assertOneLineFailure(CommandRun.of("quantize", "-t", "0", SOURCE.toString(), tmp.resolve("o.gguf").toString(), "Q8_0"),
                ExitCode.USAGE, "--threads must be at least 1");
        assertOneLineFailure(CommandRun.of("quantize", tmp.resolve("missing.gguf").toString(), tmp.resolve("o.gguf").toString(), "Q8_0"),
                ExitCode.IO, "missing.gguf: no such file");
        assertEquals(List.of(), files(tmp));
    }

    @Test
    void aRunLlamaQuantizeRefusesWritesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("o.gguf");
        assertOneLineFailure(CommandRun.of("quantize", SOURCE.toString(), out.toString(), "IQ2_XXS"), ExitCode.IMPOSSIBLE,
                "this quantization requires an imatrix! offending tensor: blk.0.attn_k.weight, target type: iq2_xxs");
        assertOneLineFailure(CommandRun.of("quantize", LLAMA_Q4_K_M.toString(), out.toString(), "Q8_0"), ExitCode.IMPOSSIBLE,
                "requantizing from type q6_K is disabled (tensor output.weight");
        assertEquals(List.of(), files(tmp));
    }

    @Test
    void requantizesWhenAllowed(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("q8.gguf");
        CommandRun run = CommandRun.of("quantize", "--allow-requantize", LLAMA_Q4_K_M.toString(), out.toString(), "Q8_0");
        assertEquals(0, run.exitCode(), run::toString);
        try (GgufFile written = GgufReader.open(out); GgufFile source = GgufReader.open(LLAMA_Q4_K_M)) {
            Plan plan = Planner.plan(source, QuantizeOptions.of(LlamaFileType.MOSTLY_Q8_0).withAllowRequantize(true));
            assertEquals(plan.fileBytes(), Files.size(out));
            assertEquals(plan.tensors().size(), written.tensors().size());
            for (int i = 0; i < plan.tensors().size(); i++) {
                assertEquals(plan.tensors().get(i).targetType(), written.tensors().get(i).type());
            }
            assertEquals(GgmlType.Q8_0, written.tensors().get(0).type(), "output.weight, Q6_K in the source");
        }
    }

    @Test
    void aBigEndianInputIsRefused(@TempDir Path tmp) throws Exception {
        Path in = GeneratedModel.of(256, 512, 256, 1, GgmlType.F16).write(tmp.resolve("be.gguf"), java.nio.ByteOrder.BIG_ENDIAN);
        assertOneLineFailure(CommandRun.of("quantize", in.toString(), tmp.resolve("o.gguf").toString(), "Q8_0"),
                ExitCode.INVALID_GGUF, "is a big-endian GGUF file, which llama-quantize cannot read");
        assertEquals(List.of(in), files(tmp));
    }

    /** A small F32 model with one planted value, as a source for the refusals ggml makes while quantizing. */
    private static Path planted(Path dir, String tensor, long index, float value) throws Exception {
        return GeneratedModel.of(256, 512, 256, 2, GgmlType.F32)
                .withPlant((t, i, v) -> t.equals(tensor) && i == index ? value : v)
                .write(dir.resolve("planted.gguf"));
    }

    @Test
    void iq3sAbortNamesTheTensorAndLeavesTheOldOutput(@TempDir Path tmp) throws Exception {
        Path in = planted(Files.createDirectory(tmp.resolve("in")), "blk.0.ffn_up.weight", 1000, Float.POSITIVE_INFINITY);
        Path dir = Files.createDirectory(tmp.resolve("out"));
        Path out = Files.writeString(dir.resolve("o.gguf"), "old");
        CommandRun run = CommandRun.of("quantize", "--pure", "--force", in.toString(), out.toString(), "IQ3_S");
        assertOneLineFailure(run, ExitCode.IMPOSSIBLE, "tensor 'blk.0.ffn_up.weight': ggml would abort quantizing it to IQ3_S");
        assertEquals("old", Files.readString(out));
        assertEquals(List.of(out), files(dir));
    }

    @Test
    void aNonFiniteScaleFailsValidationNamingTheTensor(@TempDir Path tmp) throws Exception {
        // 7e5 in a Q4_0 block: d = 7e5 / -8 = -87500 overflows fp16 (quantizers.md §5 item 9).
        Path in = planted(Files.createDirectory(tmp.resolve("in")), "blk.1.attn_k.weight", 300, 7e5f);
        Path dir = Files.createDirectory(tmp.resolve("out"));
        CommandRun run = CommandRun.of("quantize", "--pure", in.toString(), dir.resolve("o.gguf").toString(), "Q4_0");
        assertOneLineFailure(run, ExitCode.IMPOSSIBLE, "tensor 'blk.1.attn_k.weight': quantized data validation failed",
                "values 288..319 (row 1)");
        assertEquals(List.of(), files(dir));
    }

    @Test
    void anF16OverflowFailsValidationToo(@TempDir Path tmp) throws Exception {
        Path in = planted(Files.createDirectory(tmp.resolve("in")), "blk.0.attn_q.weight", 5, 1e5f);
        Path dir = Files.createDirectory(tmp.resolve("out"));
        CommandRun run = CommandRun.of("quantize", in.toString(), dir.resolve("o.gguf").toString(), "F16");
        assertOneLineFailure(run, ExitCode.IMPOSSIBLE, "tensor 'blk.0.attn_q.weight': quantized data validation failed",
                "a NaN or infinite value");
        assertEquals(List.of(), files(dir));
    }

    @Test
    void aCancelledRunLeavesNothingAndKeepsTheOldOutput(@TempDir Path tmp) throws Exception {
        Path out = Files.writeString(tmp.resolve("o.gguf"), "old");
        Cancellation cancel = new Cancellation();
        ProgressListener cancelAfterFirstChunk = new ProgressListener() {
            @Override
            public void chunkDone(Progress p) {
                cancel.cancel();
            }
        };
        try (GgufFile f = GgufReader.open(SOURCE)) {
            Plan plan = Planner.plan(f, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
            assertThrows(CancelledException.class, () -> QuantizedFileWriter.write(f, plan, out, new PipelineSettings(2, 4096),
                    cancelAfterFirstChunk, cancel));
        }
        assertEquals("old", Files.readString(out));
        assertEquals(List.of(out), files(tmp));
    }

    /** Ctrl-C as a user sends it: SIGINT to a separate JVM in the middle of writing. */
    @Test
    void ctrlCExits130AndLeavesNoFile(@TempDir Path tmp) throws Exception {
        // About 140 MB of F16: several seconds of Q4_K_M on one thread, long enough to interrupt.
        Path in = GeneratedModel.of(1024, 2816, 8192, 4, GgmlType.F16).write(tmp.resolve("model.gguf"));
        Path dir = Files.createDirectory(tmp.resolve("out"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "dev.gguflens.cli.Main", "quantize", "--threads", "1", in.toString(), dir.resolve("o.gguf").toString(), "Q4_K_M")
                .redirectErrorStream(true).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (files(dir).isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the run ended before it could be interrupted");
        assertTrue(files(dir).getFirst().getFileName().toString().endsWith(".partial"), files(dir)::toString);
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
        int code = p.waitFor();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(ExitCode.INTERRUPTED, code, output);
        assertTrue(output.contains("gguflens: " + dir.resolve("o.gguf") + ": interrupted; nothing was written"), output);
        assertEquals(List.of(), files(dir));
    }
}
