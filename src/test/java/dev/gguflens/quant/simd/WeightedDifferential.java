package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImatrixVectors;
import dev.gguflens.quant.QuantVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks of the vectorized weighted encoders ({@code quantizeRows} with importance weights): the expected
 * hashes of ggml's own output (quantizers-imatrix.md §6, {@code imatrix-vectors.tsv}). Shared by the
 * in-process test and the child JVMs of the other vector widths ({@link WeightedDifferentialMain}).
 */
final class WeightedDifferential {
    static final List<GgmlType> TYPES = List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1);

    private WeightedDifferential() {
    }

    /**
     * {@code quantizeRows(random, 4096 rows of 256, importance)} hashed, and its bytes decoded and hashed,
     * against the table: each difference as a line.
     */
    static List<String> vectorHashes(GgmlType type, BlockCodec simd, Map<String, ImatrixVectors.Expected> table) {
        ImatrixVectors.Expected want = table.get(type.name());
        float[] x = QuantVectors.random();
        int rows = x.length / QuantVectors.N_PER_ROW;
        byte[] q = new byte[simd.encodedBytes(x.length)];
        simd.quantizeRows(x, 0, q, 0, rows, QuantVectors.N_PER_ROW, ImatrixVectors.importance(), 0);
        float[] y = new float[x.length];
        simd.dequantize(q, 0, y, 0, x.length);
        List<String> problems = new ArrayList<>();
        if (q.length != want.bytes()) {
            problems.add(type + " imatrix vector: " + q.length + " bytes, the table says " + want.bytes());
        }
        String gotQ = QuantVectors.sha256(q);
        if (!gotQ.equals(want.sha256Quantized())) {
            problems.add(type + " imatrix vector: quantized sha256 " + gotQ + ", ggml's " + want.sha256Quantized());
        }
        String gotY = QuantVectors.sha256(QuantVectors.bytesOf(y));
        if (!gotY.equals(want.sha256Dequantized())) {
            problems.add(type + " imatrix vector: dequantized sha256 " + gotY + ", ggml's " + want.sha256Dequantized());
        }
        return problems;
    }
}
