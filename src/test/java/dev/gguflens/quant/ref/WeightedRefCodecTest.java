package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImatrixVectors;
import dev.gguflens.quant.ImportanceUse;
import dev.gguflens.quant.QuantVectors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weighted (importance-matrix) reference encoders against ggml: the hashes of
 * reference/quantizers-imatrix.md §6 ({@code imatrix-vectors.tsv}), hand-checked edge cases of §3, and rows
 * of other lengths.
 */
class WeightedRefCodecTest {
    /** The types whose bytes depend on the importance weights and whose encoders this class checks. */
    static final List<GgmlType> WEIGHTED = List.of(GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ3_S);
    private static final int ROWS = 4096;
    private static final int N_PER_ROW = QuantVectors.N_PER_ROW;

    static Stream<GgmlType> weightedTypes() {
        return WEIGHTED.stream();
    }

    private static BlockCodec codec(GgmlType type) {
        BlockCodec c = RefCodecs.get(type);
        assertNotNull(c, "no reference codec for " + type);
        return c;
    }

    private static byte[] quantizeRows(GgmlType type, float[] x, int nPerRow, float[] importance, int importanceOff) {
        BlockCodec c = codec(type);
        byte[] q = new byte[c.encodedBytes(x.length)];
        c.quantizeRows(x, 0, q, 0, x.length / nPerRow, nPerRow, importance, importanceOff);
        return q;
    }

    @ParameterizedTest
    @MethodSource("weightedTypes")
    void weightedRandomVectorEqualsGgmls(GgmlType type) {
        ImatrixVectors.Expected e = ImatrixVectors.expected().get(type.name());
        assertNotNull(e, "imatrix-vectors.tsv lists " + type);
        BlockCodec c = codec(type);
        assertEquals(ImportanceUse.USED, c.importanceUse());
        float[] x = QuantVectors.random();
        byte[] q = quantizeRows(type, x, N_PER_ROW, ImatrixVectors.importance(), 0);
        assertEquals(e.bytes(), q.length, type + " size");
        assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), type + " quantized bytes");
        float[] back = new float[x.length];
        c.dequantize(q, 0, back, 0, back.length);
        assertEquals(e.sha256Dequantized(), QuantVectors.sha256(QuantVectors.bytesOf(back)), type + " dequantized floats");
        assertEquals(e.valid(), c.firstInvalidBlock(q, 0, q.length / type.typeSize()) == -1, type + " validity");
        // imatrix_changes_bytes = 1: the plain call gives other bytes
        assertEquals(Boolean.TRUE, e.changesBytes());
        byte[] plain = quantizeRows(type, x, N_PER_ROW, null, 0);
        assertFalse(Arrays.equals(plain, q), type + ": the weights change the bytes");
    }
}
