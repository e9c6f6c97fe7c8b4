package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.OracleTensors;
import dev.gguflens.quant.QuantVectors;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weighted reference encoders against the oracle's {@code imatrix} runs (the {@code imatrix} set and the
 * {@code llama2c} imatrix runs, F32 sources): each tensor llama.cpp quantized with its importance vector is
 * reproduced byte for byte. These rows have 256, 288, 512 and 768 values, so they check the legacy types'
 * whole-row sigma2 on rows other than the vectors' 256. Weights per quantizers-imatrix.md §1.2 and §1.5:
 * {@code in_sum2 / counts} of the tensor's entry; a tensor without an entry (token_embd) is quantized without.
 */
class WeightedRefOracleTest {

    static Stream<GgmlType> weightedTypes() {
        return WeightedRefCodecTest.WEIGHTED.stream();
    }

    /** One distinct output tensor of an imatrix run: the same (model, tensor, type) has one hash in every run. */
    private record Row(String model, String tensor, long bytes, String sha256) {
    }

    private static List<Row> rows(Path oracle, GgmlType type) throws Exception {
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

    @ParameterizedTest
    @MethodSource("weightedTypes")
    void imatrixRunTensorsEqualLlamaCpps(GgmlType type) throws Exception {
        Path oracle = TestFiles.oracle();
        List<Row> rows = rows(oracle, type);
        assertFalse(rows.isEmpty(), "the oracle's imatrix runs hold " + type + " tensors");
        BlockCodec codec = RefCodecs.get(type);
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
                        assertEquals(nPerRow, w.length, r.tensor() + ": importance length");
                        weightedRowLengths.add((long) nPerRow);
                    }
                    byte[] q = new byte[Math.toIntExact(r.bytes())];
                    codec.quantizeRows(x, 0, q, 0, x.length / nPerRow, nPerRow, w, 0);
                    if (!QuantVectors.sha256(q).equals(r.sha256())) {
                        bad.add(model + "/" + r.tensor() + (w == null ? " (no imatrix entry)" : ""));
                    }
                }
            }
        }
        assertEquals(List.of(), bad, bad.size() + " of " + rows.size() + " " + type + " tensors differ");
        assertFalse(weightedRowLengths.isEmpty(), type + ": some tensors were quantized with weights");
        if (type.blockSize() == 32) {
            assertTrue(weightedRowLengths.contains(512L), type + " row lengths checked with weights: " + weightedRowLengths);
        }
    }
}
