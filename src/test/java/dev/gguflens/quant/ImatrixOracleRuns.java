package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Re-encodes the tensors of the oracle's {@code imatrix} runs (the {@code imatrix} set and the {@code llama2c}
 * imatrix runs, F32 sources) with one codec, each with its importance vector (quantizers-imatrix.md §1.2 and
 * §1.5: {@code in_sum2 / counts} of the tensor's entry; a tensor without an entry, token_embd, unweighted), and
 * says which differ from llama.cpp's bytes. Shared by the reference and the vectorized codecs' oracle tests.
 */
public final class ImatrixOracleRuns {
    private ImatrixOracleRuns() {
    }

    /**
     * The outcome for one type.
     *
     * @param tensors            distinct (model, tensor) outputs of the type in the runs
     * @param differing          the ones whose bytes differ, named
     * @param weightedRowLengths the row lengths of the tensors quantized with weights
     */
    public record Outcome(int tensors, List<String> differing, Set<Long> weightedRowLengths) {
    }

    /** One distinct output tensor of an imatrix run: the same (model, tensor, type) has one hash in every run. */
    private record Row(String model, String tensor, long bytes, String sha256) {
    }

    /** Quantizes every {@code type} tensor of the runs in {@code oracle} with {@code codec}. */
    public static Outcome check(Path oracle, GgmlType type, BlockCodec codec) throws Exception {
        List<Row> rows = rows(oracle, type);
        List<String> bad = new ArrayList<>();
        Set<Long> weightedRowLengths = new TreeSet<>();
        for (String model : rows.stream().map(Row::model).distinct().toList()) {
            try (GgufFile src = GgufReader.open(oracle.resolve("files/" + model + "-f32.gguf"));
                 GgufFile imatrix = GgufReader.open(oracle.resolve("files/imatrix-" + model + ".gguf"))) {
                for (Row r : rows.stream().filter(r -> r.model().equals(model)).toList()) {
                    TensorInfo t = find(src, r.tensor());
                    float[] x = OracleTensors.decode(src, t);
                    int nPerRow = Math.toIntExact(t.ne()[0]);
                    float[] w = importance(imatrix, r.tensor());
                    if (w != null) {
                        assertTrue(w.length == nPerRow, r.tensor() + ": importance length " + w.length);
                        weightedRowLengths.add((long) nPerRow);
                    }
                    byte[] q = new byte[Math.toIntExact(r.bytes())];
                    codec.quantizeRows(x, 0, q, 0, x.length / nPerRow, nPerRow, w, 0);
                    if (!QuantVectors.sha256(q).equals(r.sha256())) {
                        bad.add(model + "/" + r.tensor() + " (" + nPerRow + " per row" + (w == null ? ", no imatrix entry)" : ")"));
                    }
                }
            }
        }
        return new Outcome(rows.size(), bad, weightedRowLengths);
    }

    private static List<Row> rows(Path oracle, GgmlType type) throws IOException {
        Map<String, Row> distinct = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(oracle.resolve("expected-types.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t");
            if (c[5].equals("imatrix") && c[2].equals("F32") && c[9].equals(type.name())) {
                Row r = new Row(c[1], c[7], Long.parseLong(c[10]), c[12]);
                Row before = distinct.putIfAbsent(r.model() + "/" + r.tensor(), r);
                assertTrue(before == null || before.equals(r), "one hash per tensor: " + r);
            }
        }
        return new ArrayList<>(distinct.values());
    }

    /** The importance vector of {@code tensor} in an imatrix file, {@code in_sum2[i] / counts[0]}, or null without an entry. */
    private static float[] importance(GgufFile imatrix, String tensor) {
        TensorInfo sums = find(imatrix, tensor + ".in_sum2");
        TensorInfo counts = find(imatrix, tensor + ".counts");
        if (sums == null) {
            return null;
        }
        assertTrue(sums.ne().length == 1 || sums.ne()[1] == 1, "the oracle has no expert tensors: one slice");
        float[] s = OracleTensors.decode(imatrix, sums);
        float count = OracleTensors.decode(imatrix, counts)[0];
        assertTrue(count > 0, "counts of " + tensor);
        for (int i = 0; i < s.length; i++) {
            s[i] = s[i] / count;
        }
        return s;
    }

    private static TensorInfo find(GgufFile f, String name) {
        return f.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}
