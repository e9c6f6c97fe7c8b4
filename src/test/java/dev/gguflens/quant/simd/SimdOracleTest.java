package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.OracleTensors;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The oracle check of {@code OracleCodecTest}, for the vectorized codecs: every llama.cpp tensor of their types, byte for byte. */
class SimdOracleTest {

    static Stream<GgmlType> types() {
        return Differential.TYPES.stream();
    }

    @ParameterizedTest
    @MethodSource("types")
    void quantizedTensorsEqualLlamaCpps(GgmlType type) throws Exception {
        Path oracle = TestFiles.oracle();
        BlockCodec codec = new VectorCodecProvider().codec(type).orElseThrow();
        assertNotEquals(Differential.reference(type).getClass(), codec.getClass(), type + " has a vectorized codec");
        List<OracleTensors.Row> rows = OracleTensors.rows(oracle, type);
        assertFalse(rows.isEmpty(), "the oracle has tensors of " + type);
        List<String> bad = OracleTensors.mismatches(oracle, codec, rows);
        assertEquals(List.of(), bad.stream().limit(10).toList(), bad.size() + " of " + rows.size() + " tensors differ");
    }
}
