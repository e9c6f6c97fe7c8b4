package dev.gguflens.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.cli.ExitCode;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.OracleOptions;
import dev.gguflens.testing.TestFiles;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gguflens quantize --imatrix} against llama.cpp: every {@code options=imatrix} run of
 * expected-sizes.tsv (sets imatrix and llama2c). The oracle passed the importance matrix through the
 * library call, so its files lack the four {@code quantize.imatrix.*} keys the command line adds: our
 * file must end its metadata with exactly those four keys, and the same file rebuilt without them
 * (header laid out again, tensor data copied) must have llama.cpp's whole-file sha256 and size. So the
 * header differs by exactly the four keys and every tensor's bytes are llama.cpp's. Refused runs fail
 * with exit 4, llama.cpp's reason, and no file.
 */
class QuantizeImatrixOracleTest {
    private static final List<String> KEYS = List.of("quantize.imatrix.file", "quantize.imatrix.dataset",
            "quantize.imatrix.entries_count", "quantize.imatrix.chunks_count");

    @Test
    void everyImatrixRunWritesLlamaCppsBytesPlusTheFourKeys(@TempDir Path tmp) throws Exception {
        Path oracle = TestFiles.oracle();
        List<String> lines = Files.readAllLines(oracle.resolve("expected-sizes.tsv"));
        int ok = 0;
        int failed = 0;
        List<String> bad = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t", -1);
            OracleOptions run = OracleOptions.of(c);
            if (!run.imatrix()) {
                continue;
            }
            Path imatrix = oracle.resolve("files/imatrix-" + run.model() + ".gguf");
            Path dir = Files.createDirectory(tmp.resolve("run" + (ok + failed)));
            Path out = dir.resolve("out.gguf");
            CommandRun r = CommandRun.of("quantize", "--threads", "2", "--imatrix", imatrix.toString(),
                    run.sourceFile(oracle).toString(), out.toString(), run.ftype());
            if (c[6].equals("ok")) {
                ok++;
                if (r.exitCode() != 0) {
                    bad.add(run + ": exit " + r.exitCode() + ": " + r.err());
                } else {
                    String problem = compare(out, imatrix.toString(), c, dir.resolve("without-keys.gguf"));
                    if (problem != null) {
                        bad.add(run + ": " + problem);
                    }
                    // llama-imatrix never collects token_embd.weight: the only tensor quantized without weights.
                    for (String l : r.errLines()) {
                        if (l.contains("did not find weights for") && !l.contains("did not find weights for token_embd.weight:")) {
                            bad.add(run + ": another tensor went without weights: " + l);
                        }
                    }
                }
            } else {
                failed++;
                String reason = c[7].substring(c[7].lastIndexOf("failed to quantize: ") + "failed to quantize: ".length());
                if (r.exitCode() != ExitCode.IMPOSSIBLE || !r.err().contains(reason) || r.errLines().size() != 1 || !r.out().isEmpty()) {
                    bad.add(run + ": expected exit 4 with '" + reason + "', got " + r);
                }
            }
            try (Stream<Path> left = Files.list(dir)) {
                List<Path> files = left.filter(p -> !p.getFileName().toString().equals("without-keys.gguf")).toList();
                List<Path> expected = c[6].equals("ok") && r.exitCode() == 0 ? List.of(out) : List.of();
                if (!files.equals(expected)) {
                    bad.add(run + ": files left in the output folder: " + files);
                }
            }
            try (Stream<Path> left = Files.list(dir)) {
                for (Path p : left.toList()) {
                    Files.delete(p);
                }
            }
        }
        System.out.printf("quantize --imatrix vs expected-sizes.tsv: %d ok runs (rebuilt without the four keys, sha256 compared),"
                + " %d refused runs%n", ok, failed);
        assertTrue(bad.isEmpty(), bad.size() + " runs differ:\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
        // run-counts.tsv: imatrix 105 ok / 3 failed; llama2c's imatrix rows: 87 - 53 ok, 21 - 19 failed.
        assertEquals(105 + 34, ok);
        assertEquals(3 + 2, failed);
    }

    /** Null when {@code out} is llama.cpp's file plus exactly the four keys; else what differs. */
    private static String compare(Path out, String imatrixAsGiven, String[] row, Path rebuilt) throws Exception {
        try (GgufFile f = GgufReader.open(out)) {
            List<MetadataEntry> md = f.metadata();
            if (md.size() < 4) {
                return "only " + md.size() + " keys";
            }
            List<MetadataEntry> last = md.subList(md.size() - 4, md.size());
            List<MetadataEntry> expected = List.of(
                    new MetadataEntry(KEYS.get(0), GgufValue.Str.of(imatrixAsGiven)),
                    new MetadataEntry(KEYS.get(1), GgufValue.Str.of("synthetic-seeded")),
                    new MetadataEntry(KEYS.get(2), GgufValue.Int.u32(15)),
                    new MetadataEntry(KEYS.get(3), GgufValue.Int.u32(1)));
            List<MetadataEntry> lastPlain = last.stream().map(e -> new MetadataEntry(e.key(), e.value())).toList();
            if (!lastPlain.equals(expected)) {
                return "the last four keys are " + lastPlain;
            }
            // The same file without the four keys: the header laid out again, every tensor's bytes copied as they are.
            List<MetadataEntry> without = md.subList(0, md.size() - 4);
            List<GgufWriter.TensorSpec> specs = f.tensors().stream().map(GgufWriter.TensorSpec::of).toList();
            GgufWriter.write(rebuilt, GgufWriter.layout(without, specs, 32, ByteOrder.LITTLE_ENDIAN), GgufWriter.TensorSource.ofSegments(
                    t -> f.tensorData(f.tensors().stream().filter(x -> x.name().equals(t.name())).findFirst().orElseThrow())));
        }
        String sha = QuantizeOracleTest.sha256(rebuilt);
        if (!sha.equals(row[9]) || Files.size(rebuilt) != Long.parseLong(row[8])) {
            return "without the four keys " + Files.size(rebuilt) + " bytes, sha256 " + sha + "; llama.cpp: " + row[8] + " bytes, " + row[9];
        }
        return null;
    }
}
