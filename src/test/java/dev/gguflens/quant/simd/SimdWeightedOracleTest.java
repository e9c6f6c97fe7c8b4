package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.ImatrixOracleRuns;
import dev.gguflens.testing.TestFiles;
import java.util.List;
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

    @ParameterizedTest
    @MethodSource("types")
    void imatrixRunTensorsEqualLlamaCpps(GgmlType type) throws Exception {
        ImatrixOracleRuns.Outcome o = ImatrixOracleRuns.check(TestFiles.oracle(), type, PROVIDER.codec(type).orElseThrow());
        assertFalse(o.tensors() == 0, "the oracle's imatrix runs hold " + type + " tensors");
        assertEquals(List.of(), o.differing(), o.differing().size() + " of " + o.tensors() + " " + type + " tensors differ");
        assertFalse(o.weightedRowLengths().isEmpty(), type + ": some tensors were quantized with weights");
    }
}
