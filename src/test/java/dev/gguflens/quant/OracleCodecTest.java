package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every tensor llama.cpp wrote in the oracle (no importance matrix) is reproduced byte for byte by our codec for its type. */
class OracleCodecTest {

    /** The types llama.cpp's outputs in the oracle hold, each of which gguflens must quantize. */
    static Stream<GgmlType> oracleTypes() {
        return Stream.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16,
                GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
                GgmlType.IQ3_S,
                GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
                GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.MXFP4,
                GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.Q1_0, GgmlType.Q2_0);
    }

    @ParameterizedTest
    @MethodSource("oracleTypes")
    void quantizedTensorsEqualLlamaCpps(GgmlType type) throws Exception {
        Path oracle = TestFiles.oracle();
        BlockCodec codec = Codecs.reference(type).orElseThrow(() -> new AssertionError("no codec for " + type));
        List<OracleTensors.Row> rows = OracleTensors.rows(oracle, type);
        assertFalse(rows.isEmpty(), "the oracle has tensors of " + type);
        List<String> bad = OracleTensors.mismatches(oracle, codec, rows);
        assertEquals(List.of(), bad.stream().limit(10).toList(), bad.size() + " of " + rows.size() + " tensors differ");
    }
}
