package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.ImatrixOracleRuns;
import dev.gguflens.testing.TestFiles;
import java.util.List;
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

    @ParameterizedTest
    @MethodSource("weightedTypes")
    void imatrixRunTensorsEqualLlamaCpps(GgmlType type) throws Exception {
        ImatrixOracleRuns.Outcome o = ImatrixOracleRuns.check(TestFiles.oracle(), type, RefCodecs.get(type));
        assertFalse(o.tensors() == 0, "the oracle's imatrix runs hold " + type + " tensors");
        assertEquals(List.of(), o.differing(), o.differing().size() + " of " + o.tensors() + " " + type + " tensors differ");
        assertFalse(o.weightedRowLengths().isEmpty(), type + ": some tensors were quantized with weights");
        if (type.blockSize() == 32) {
            assertTrue(o.weightedRowLengths().contains(512L), type + " row lengths checked with weights: " + o.weightedRowLengths());
        }
    }
}
