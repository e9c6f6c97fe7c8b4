package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vectorized weighted encoders against the oracle's {@code imatrix} runs (F32 sources), as
 * {@code quant.ref.WeightedRefOracleTest} checks the reference: every tensor llama.cpp quantized with its
 * importance vector, byte for byte. Their rows (256, 288, 512, 768 values) put groups of blocks across row
 * ends, and the legacy types' whole-row sigma2 over rows of 9 and 24 blocks.
 */
class SimdWeightedOracleTest {
    private static final VectorCodecProvider PROVIDER = new VectorCodecProvider();

    static Stream<GgmlType> types() {
        return WeightedDifferential.TYPES.stream();
    }

    /** One distinct output tensor of an imatrix run. */
    private record Row(String model, String tensor, long bytes, String sha256) {
    }

    private static List<Row> rows(Path oracle, GgmlType type) throws Exception {
        Map<String, Row> distinct = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(oracle.resolve("expected-types.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t");
            if (c[5].equals("imatrix") && c[2].equals("F32") && c[9].equals(type.name())) {
                distinct.putIfAbsent(c[1] + "/" + c[7], new Row(c[1], c[7], Long.parseLong(c[10]), c[12]));
            }
        }
        return new ArrayList<>(distinct.values());
    }

    /** {@code in_sum2[i] / counts[0]} of the tensor's entry (quantizers-imatrix.md §1.2), or null without one. */
    private static float[] importance(GgufFile imatrix, String tensor) {
        TensorInfo sums = find(imatrix, tensor + ".in_sum2");
        if (sums == null) {
            return null;
        }
        float[] s = OracleTensors.decode(imatrix, sums);
        float count = OracleTensors.decode(imatrix, find(imatrix, tensor + ".counts"))[0];
        for (int i = 0; i < s.length; i++) {
            s[i] = s[i] / count;
        }
        return s;
    }

    private static TensorInfo find(GgufFile f, String name) {
        return f.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    @ParameterizedTest
    @MethodSource("types")
    void imatrixRunTensorsEqualLlamaCpps(GgmlType type) throws Exception {
        Path oracle = TestFiles.oracle();
        List<Row> rows = rows(oracle, type);
        assertFalse(rows.isEmpty(), "the oracle's imatrix runs hold " + type + " tensors");
        BlockCodec codec = PROVIDER.codec(type).orElseThrow();
        List<String> bad = new ArrayList<>();
        int weighted = 0;
        for (String model : rows.stream().map(Row::model).distinct().toList()) {
            try (GgufFile src = GgufReader.open(oracle.resolve("files/" + model + "-f32.gguf"));
                 GgufFile imatrix = GgufReader.open(oracle.resolve("files/imatrix-" + model + ".gguf"))) {
                for (Row r : rows.stream().filter(r -> r.model().equals(model)).toList()) {
                    TensorInfo t = find(src, r.tensor());
                    float[] x = OracleTensors.decode(src, t);
                    int nPerRow = Math.toIntExact(t.ne()[0]);
                    float[] w = importance(imatrix, r.tensor());
                    weighted += w == null ? 0 : 1;
                    byte[] q = new byte[Math.toIntExact(r.bytes())];
                    codec.quantizeRows(x, 0, q, 0, x.length / nPerRow, nPerRow, w, 0);
                    if (!QuantVectors.sha256(q).equals(r.sha256())) {
                        bad.add(model + "/" + r.tensor() + " (" + nPerRow + " per row" + (w == null ? ", no imatrix entry)" : ")"));
                    }
                }
            }
        }
        assertEquals(List.of(), bad, bad.size() + " of " + rows.size() + " " + type + " tensors differ");
        assertFalse(weighted == 0, type + ": some tensors were quantized with weights");
    }
}
