package dev.gguflens.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.cli.ExitCode;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.OracleOptions;
import dev.gguflens.testing.TestFiles;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gguflens quantize} against llama-quantize: for every run of expected-sizes.tsv in sets main,
 * pure, extra and llama2c without an importance matrix (F16, F32 and BF16 sources), the command with the
 * oracle's options writes a file whose whole-file sha256 equals llama.cpp's; every run llama.cpp refused
 * fails with exit code 4, its reason, and no file.
 */
class QuantizeOracleTest {
    private static final Set<String> SETS = Set.of("main", "pure", "extra", "llama2c");

    @Test
    void everyRunWritesLlamaQuantizesBytesOrFailsAsItDid(@TempDir Path tmp) throws Exception {
        Path oracle = TestFiles.oracle();
        List<String> lines = Files.readAllLines(oracle.resolve("expected-sizes.tsv"));
        int ok = 0;
        int failed = 0;
        List<String> bad = new ArrayList<>();
        long start = System.nanoTime();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t", -1);
            OracleOptions run = OracleOptions.of(c);
            if (!SETS.contains(run.set()) || run.imatrix()) {
                continue;
            }
            Path dir = Files.createDirectory(tmp.resolve("run" + (ok + failed)));
            Path out = dir.resolve("out.gguf");
            List<String> args = new ArrayList<>(List.of("quantize", "--threads", "2"));
            args.addAll(run.commandLineOptions());
            args.addAll(List.of(run.sourceFile(oracle).toString(), out.toString(), run.ftype()));
            CommandRun r = CommandRun.of(args.toArray(String[]::new));
            if (c[6].equals("ok")) {
                ok++;
                if (r.exitCode() != 0) {
                    bad.add(run + ": exit " + r.exitCode() + ": " + r.err());
                } else if (!sha256(out).equals(c[9]) || Files.size(out) != Long.parseLong(c[8])) {
                    bad.add(run + ": " + Files.size(out) + " bytes, sha256 " + sha256(out) + ", expected " + c[8] + " bytes, " + c[9]);
                } else if (r.outLines().size() != 1 || !r.out().startsWith(out + ": ")) {
                    bad.add(run + ": stdout is not the one summary line: " + r.out());
                }
            } else {
                failed++;
                // llama.cpp's last line names the reason: "llama_model_quantize: failed to quantize: REASON".
                String reason = c[7].substring(c[7].lastIndexOf("failed to quantize: ") + "failed to quantize: ".length());
                if (r.exitCode() != ExitCode.IMPOSSIBLE || !r.err().contains(reason) || r.errLines().size() != 1 || !r.out().isEmpty()) {
                    bad.add(run + ": expected exit 4 with '" + reason + "', got " + r);
                }
                if (c[7].contains("offending tensor: ")) {
                    String tensor = c[7].replaceAll(".*offending tensor: (\\S+).*", "$1");
                    String type = c[7].replaceAll(".*target type: (\\S+).*", "$1");
                    if (!r.err().contains("offending tensor: " + tensor) || !r.err().contains("target type: " + type)) {
                        bad.add(run + ": the message does not name " + tensor + " and " + type + ": " + r.err());
                    }
                }
            }
            try (Stream<Path> left = Files.list(dir)) {
                List<Path> files = left.toList();
                List<Path> expected = c[6].equals("ok") && r.exitCode() == 0 ? List.of(out) : List.of();
                if (!files.equals(expected)) {
                    bad.add(run + ": files left in the output folder: " + files);
                }
            }
            Files.deleteIfExists(out);
        }
        System.out.printf("quantize vs expected-sizes.tsv: %d ok runs (sha256 compared), %d refused runs, %.1f s%n",
                ok, failed, (System.nanoTime() - start) / 1e9);
        assertTrue(bad.isEmpty(), bad.size() + " runs differ:\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
        // run-counts.tsv: main 78/30, pure 81/27, extra 312/120; llama2c without imatrix 53/19.
        assertEquals(78 + 81 + 312 + 53, ok);
        assertEquals(30 + 27 + 120 + 19, failed);
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
